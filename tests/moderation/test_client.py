"""The API scorer against a real local HTTP server: mapping, batching, cache, injected faults, judge replies."""

from __future__ import annotations

import json
import logging

import pytest

from native_align.moderation.client import ApiScorer, map_scores, parse_judge_reply
from native_align.moderation.config import ModerationEndpointConfig
from tests.support.openai_server import OpenAIServer

KEY_ENV = "NA_TEST_MODERATION_KEY"
KEY = "sk-test-MODERATION-5ecr3t-1a2b"
WORDS = {"كلب": "harassment", "اليهود": "hate", "سكس": "sexual", "ساقتلك": "harassment/threatening",
         "دماء": "violence"}


def _cfg(server: OpenAIServer, **kw) -> ModerationEndpointConfig:
    opts = dict(base_url=server.base_url, api_key_env=KEY_ENV, max_attempts=6, backoff_base_s=0.01,
                backoff_max_s=0.05, timeout_s=2.0, batch_size=2, max_concurrency=4)
    opts.update(kw)
    return ModerationEndpointConfig(**opts)


def test_moderations_are_mapped_to_our_categories(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    texts = ["يا كلب", "عن اليهود", "فيلم سكس", "ساقتلك", "سالت دماء في الحرب", "نص نظيف", ""]
    with OpenAIServer(moderation_words=WORDS) as server:
        scorer = ApiScorer(_cfg(server))
        results = scorer.score(texts)
        assert server.total_requests == 3  # six non-empty texts, two per request; "" is never sent
        assert server.authorizations() == [f"Bearer {KEY}"] * 3
        assert server.records[0].body == {"model": "omni-moderation-latest", "input": ["يا كلب", "عن اليهود"]}
    flagged = [sorted(c for c, s in r.scores.items() if s >= 0.5) for r in results]
    assert flagged == [["profanity"], ["insult_group"], ["sexual"], ["profanity", "threat"], [], [], []]
    assert [r.flagged for r in results] == [True, True, True, True, False, False, False]
    assert results[4].raw["violence"] == 0.9  # kept for audits, not a threat
    assert scorer.categories == ("profanity", "sexual", "insult_group", "threat")


def test_cache_by_text_model_and_mode(monkeypatch, tmp_path):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer(moderation_words=WORDS) as server:
        first = ApiScorer(_cfg(server), cache_dir=tmp_path).score(["يا كلب", "نص", "يا كلب"])
        assert server.total_requests == 1  # the duplicate went once
        again = ApiScorer(_cfg(server), cache_dir=tmp_path).score(["يا كلب", "نص"])
        assert server.total_requests == 1  # a new scorer (a rerun) reads the SQLite cache
        ApiScorer(_cfg(server, model="other-model"), cache_dir=tmp_path).score(["يا كلب"])
        assert server.total_requests == 2  # another model is another key
    assert [r.scores for r in again] == [r.scores for r in first[:2]]


def test_faults_are_retried_and_every_text_accounted(monkeypatch, caplog, capfd):
    monkeypatch.setenv(KEY_ENV, KEY)
    caplog.set_level(logging.DEBUG)
    texts = [f"وثيقة رقم {i} فيها كلب" if i % 3 == 0 else f"وثيقة رقم {i}" for i in range(30)]
    with OpenAIServer(moderation_words=WORDS, fail_rate=0.4, seed=5, slow_s=1.0) as server:
        scorer = ApiScorer(_cfg(server, timeout_s=0.4, max_attempts=8))
        results = scorer.score(texts)
        outcomes = [r.outcome for r in server.records]
    for kind in ("429", "500", "timeout", "malformed"):
        assert kind in outcomes, kind
    assert all(r.ok for r in results)
    assert [r.flagged for r in results] == [i % 3 == 0 for i in range(30)]
    assert scorer.requests_sent == len(outcomes) > 15
    out, err = capfd.readouterr()
    assert KEY not in out + err and KEY not in repr(scorer)
    assert all(KEY not in rec.getMessage() for rec in caplog.records)


def test_a_text_that_always_fails_gets_an_error_not_a_zero(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer(moderation_words=WORDS, always_fail=["POISON"]) as server:
        scorer = ApiScorer(_cfg(server, max_attempts=3, batch_size=1))
        poison, fine = scorer.score(["POISON كلب", "كلب"])
        assert server.count_for("POISON") == 3
    assert not poison.ok and "HTTP 500" in poison.error and not poison.flagged and poison.scores == {}
    assert fine.ok and fine.flagged


def test_malformed_replies_exhaust_attempts(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer(moderation_words=WORDS, fail_rate=1.0, kinds=["malformed"]) as server:
        [res] = ApiScorer(_cfg(server, max_attempts=2)).score(["كلب"])
        assert server.total_requests == 2
    assert not res.ok and "malformed" in res.error


def _judge(reply: str):
    return lambda messages: reply


def test_judge_mode_with_our_rubric_reads_json(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    reply = '```json\n{"profanity": 0.8, "sexual": 0, "insult_group": 0.6, "threat": false}\n```'
    with OpenAIServer(reply_fn=_judge(reply)) as server:
        [res] = ApiScorer(_cfg(server, mode="judge", model="judge-m")).score(["نص ما"])
        body = server.records[0].body
    assert body["messages"][0]["role"] == "system" and "insult_group" in body["messages"][0]["content"]
    assert body["messages"][-1] == {"role": "user", "content": "نص ما"}
    assert res.scores == {"profanity": 0.8, "sexual": 0.0, "insult_group": 0.6, "threat": 0.0} and res.flagged


def test_judge_mode_llama_guard_codes(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer(reply_fn=_judge("unsafe\nS1,S10")) as server:
        scorer = ApiScorer(_cfg(server, mode="judge", model="llama-guard", judge_rubric=False))
        [res] = scorer.score(["نص ما"])
        assert [m["role"] for m in server.records[0].body["messages"]] == ["user"]
    assert scorer.categories == ("sexual", "insult_group", "threat")  # Llama Guard has no profanity category
    assert res.scores == {"sexual": 0.0, "insult_group": 1.0, "threat": 1.0}


def test_unreadable_judge_reply_is_an_error(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer(reply_fn=_judge("I think it is fine.")) as server:
        [res] = ApiScorer(_cfg(server, mode="judge")).score(["نص"])
    assert not res.ok and "unparseable" in res.error and not res.flagged


def test_parse_and_map_helpers():
    assert parse_judge_reply("safe") == {"S1": 0.0, "S3": 0.0, "S4": 0.0, "S10": 0.0, "S12": 0.0}
    assert parse_judge_reply("unsafe\nS12")["S12"] == 1.0
    with pytest.raises(ValueError):
        parse_judge_reply(json.dumps({"verdict": "ok"}))
    assert map_scores({"hate": 0.2, "hate/threatening": 0.7, "illicit": 0.9},
                      {"hate": ("insult_group",), "hate/threatening": ("insult_group", "threat")}) == \
        {"insult_group": 0.7, "threat": 0.7}
