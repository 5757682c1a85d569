"""The chat client against a real local HTTP server with injected failures."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from native_align.llm.client import ChatClient, parse_retry_after
from native_align.llm.ratelimit import TokenBucket
from tests.support.openai_server import OpenAIServer

KEY_ENV = "NA_TEST_CLIENT_KEY"
KEY = "sk-test-CLIENT-5ecr3t-9f8e7d"


def _msgs(text: str) -> list[dict]:
    return [{"role": "system", "content": "polish"}, {"role": "user", "content": f"<text>\n{text}\n</text>"}]


def _client(server: OpenAIServer, **kw) -> ChatClient:
    opts = dict(api_key_env=KEY_ENV, max_concurrency=4, timeout_s=2.0, max_attempts=6, backoff_base_s=0.01,
                backoff_max_s=0.05, seed=1)
    opts.update(kw)
    return ChatClient(server.base_url, "expert-x", **opts)


def test_ok_reply_sends_key_and_counts_tokens(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer() as server:
        res = _client(server).complete(_msgs("سطر أول\nاتصل الآن 0551234567\nسطر ثان"))
        assert res.ok and res.attempts == 1 and res.finish_reason == "stop"
        assert res.text == "سطر أول\nسطر ثان"
        assert res.prompt_tokens > 0 and res.completion_tokens > 0 and not res.usage_estimated
        assert server.authorizations() == [f"Bearer {KEY}"]


def test_thirty_percent_failures_every_request_accounted(monkeypatch, caplog, capfd):
    monkeypatch.setenv(KEY_ENV, KEY)
    caplog.set_level(logging.DEBUG)
    texts = [f"وثيقة رقم {i} عن الاقتصاد" for i in range(40)] + ["POISON وثيقة لا تنجح"]
    with OpenAIServer(fail_rate=0.3, seed=11, slow_s=2.5, always_fail=["POISON"]) as server:
        client = _client(server, max_attempts=5)
        results = client.complete_many([_msgs(t) for t in texts])
        outcomes = [r.outcome for r in server.records]
    assert len(results) == len(texts)
    # every failure kind really happened, and every request ended ok or with a reason
    for kind in ("429", "500", "timeout", "malformed"):
        assert kind in outcomes, kind
    assert all(r.ok or r.error for r in results)
    assert sum(r.attempts for r in results) == len(outcomes)
    poison = results[-1]
    assert not poison.ok and poison.attempts == 5 and "HTTP 500" in poison.error
    ok = [r for r in results if r.ok]
    assert len(ok) >= 38  # 0.3**5 per doc: nearly all succeed
    assert any(r.attempts > 1 for r in ok)
    out, err = capfd.readouterr()
    assert KEY not in out + err
    assert all(KEY not in rec.getMessage() for rec in caplog.records)
    assert KEY not in repr(client)


def test_retry_after_is_honoured(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer(fail_rate=1.0, kinds=["429"], retry_after_s=0.4) as server:
        t0 = time.perf_counter()
        res = _client(server, max_attempts=2).complete(_msgs("نص"))
        waited = time.perf_counter() - t0
    assert not res.ok and res.attempts == 2 and "429" in res.error
    assert waited >= 0.4  # backoff alone would be <= 0.05 s


def test_timeout_and_malformed_reasons(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer(fail_rate=1.0, kinds=["timeout"], slow_s=1.5) as server:
        res = _client(server, max_attempts=2, timeout_s=0.3).complete(_msgs("نص"))
    assert not res.ok and "timeout" in res.error and res.attempts == 2
    with OpenAIServer(fail_rate=1.0, kinds=["malformed"]) as server:
        res = _client(server, max_attempts=3).complete(_msgs("نص"))
        assert server.count_for("نص") == 3
    assert not res.ok and "malformed" in res.error


def test_client_error_is_not_retried(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer() as server:
        client = ChatClient(server.base_url + "/nope", "m", api_key_env=KEY_ENV, max_attempts=4)
        res = client.complete(_msgs("نص"))
    assert not res.ok and res.attempts == 1 and res.error.startswith("HTTP 404")


def test_gate_stops_requests_cleanly(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer() as server:
        client = _client(server, max_concurrency=1)
        seen = []
        results = client.complete_many([_msgs(f"نص {i}") for i in range(5)], gate=lambda i, m: i < 2,
                                       on_result=lambda i, r: seen.append(i))
        assert server.total_requests == 2
    assert [r.ok for r in results] == [True, True, False, False, False]
    assert all(r.stopped and r.attempts == 0 for r in results[2:])
    assert sorted(seen) == [0, 1, 2, 3, 4]


def test_sync_wrapper_inside_running_loop(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer() as server:
        client = _client(server)

        async def inside():
            return client.complete(_msgs("داخل حلقة"))

        assert asyncio.run(inside()).text == "داخل حلقة"


def test_parse_retry_after():
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert 9 <= parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) <= 11


def test_token_bucket_waits_when_empty():
    async def go():
        bucket = TokenBucket(per_minute=600)  # 10 per second, a minute's allowance to start with
        assert await bucket.acquire(600) == 0
        t0 = time.perf_counter()
        await bucket.acquire(3)
        return time.perf_counter() - t0

    assert asyncio.run(go()) >= 0.25
