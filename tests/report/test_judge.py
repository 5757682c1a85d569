"""LLM judge: robust score parsing, and judging pairs against the real local OpenAI-compatible server."""

from __future__ import annotations

import json
import math

from native_align.llm.client import ChatClient
from native_align.report.judge import ASPECTS, JudgeItem, judge_pairs, judge_summary, parse_scores
from tests.support.openai_server import OpenAIServer, document_from_prompt, last_user_content

FULL = {"format": 8.0, "accuracy": 7.0, "moderation": 9.0, "advertisement": 6.0, "detail": 5.0}


def test_parses_plain_json():
    assert parse_scores(json.dumps(FULL)) == FULL


def test_parses_fenced_json_with_prose_and_aliases():
    reply = ("Here is my evaluation:\n```json\n{\"Format\": \"8/10\", \"Accuracy of information\": 7,"
             " \"content_moderation\": {\"score\": 9}, \"Advertisement removal\": \"6\", "
             "\"Level of detail\": 5.0}\n```\nHope this helps {not json}.")
    assert parse_scores(reply) == FULL


def test_parses_nested_scores_and_line_fallback():
    assert parse_scores(json.dumps({"scores": FULL, "comment": "ok"})) == FULL
    lines = "Format: 8\nAccuracy: 7/10\n**Moderation** - 9\nAdvertisement removal = 6\nLevel of detail: 5"
    assert parse_scores(lines.replace("**Moderation**", "Moderation")) == FULL


def test_out_of_range_missing_and_garbage_are_none():
    got = parse_scores('{"format": 11, "accuracy": 0, "moderation": "high", "advertisement": true}')
    assert got == {a: None for a in ASPECTS}
    assert parse_scores("") == {a: None for a in ASPECTS}
    assert parse_scores("I cannot rate this.") == {a: None for a in ASPECTS}
    partial = parse_scores('{"format": 3, "detail": 4}')
    assert partial["format"] == 3.0 and partial["detail"] == 4.0 and partial["accuracy"] is None


def _judge_reply(messages) -> str:
    """A judge whose scores depend on the text: ads cost points, so rewrites without ads score higher."""
    text = document_from_prompt(last_user_content(messages))
    if "UNPARSABLE" in text:
        return "I'd rather not."
    ad = "اتصل" in text or "http" in text
    scores = {"format": 6 if ad else 8, "accuracy": 7, "moderation": 9, "advertisement": 2 if ad else 9,
              "detail": 7}
    return "Sure! ```json\n" + json.dumps(scores) + "\n```"


def test_judge_pairs_against_local_server():
    items = [
        JudgeItem("a", "خبر عن افتتاح مستشفى جديد في الرياض\nاتصل الآن 0555555555", "خبر عن افتتاح مستشفى جديد في الرياض"),
        JudgeItem("b", "تقرير عن الطقس في جدة http://spam.example", "تقرير عن الطقس في جدة"),
        JudgeItem("c", "نص عادي UNPARSABLE", "نص عادي"),
    ]
    with OpenAIServer(reply_fn=_judge_reply, fail_rate=0.3, kinds=("429", "500"), seed=3) as server:
        client = ChatClient(server.base_url, "judge-model", api_key_env=None, backoff_base_s=0.01,
                            backoff_max_s=0.05, max_attempts=8, timeout_s=5)
        scores = judge_pairs(client, items)
    assert len(scores) == 6
    assert scores.set_index(["doc_id", "version"]).loc[("a", "original"), "advertisement"] == 2
    assert scores.set_index(["doc_id", "version"]).loc[("a", "rewrite"), "advertisement"] == 9
    bad = scores[(scores["doc_id"] == "c") & (scores["version"] == "original")].iloc[0]
    assert not bad["parsed"] and bad["error"] == "unparsable judge reply"
    summary = judge_summary(scores).set_index("aspect")
    assert (summary["pairs"] == 2).all()               # c is excluded: its original did not parse
    assert math.isclose(summary.loc["advertisement", "original"], 2.0)
    assert math.isclose(summary.loc["advertisement", "rewrite"], 9.0)
    assert math.isclose(summary.loc["advertisement", "delta"], 7.0)
    assert math.isclose(summary.loc["accuracy", "delta"], 0.0)
