"""Adaptive concurrency: the AIMD rule step by step, and the client against a real one-slot server."""

from __future__ import annotations

from native_align.llm.client import ChatClient
from native_align.llm.concurrency import AdaptiveLimit
from tests.support.openai_server import OpenAIServer


def _ok(limit: AdaptiveLimit, latency: float = 1.0, in_flight: int | None = None, work: float = 10.0,
        oldest: bool = True) -> bool:
    """A success sent with ``in_flight`` requests in flight, itself included (default: a full window)."""
    n = limit.current if in_flight is None else in_flight
    return limit.on_success(latency, work, peak=n, at_send=n, oldest=oldest)


def test_slow_start_then_halving_then_additive_growth():
    lim = AdaptiveLimit(8, initial=1)
    seen = []
    for _ in range(9):
        _ok(lim)
        seen.append(lim.current)
    assert seen == [2, 3, 4, 5, 6, 7, 8, 8, 8]  # +1 per success, never above max
    lim.on_overload("timeout")
    assert lim.current == 4
    lim.on_overload("HTTP 429")
    lim.on_overload("HTTP 429")
    lim.on_overload("HTTP 429")
    assert lim.current == 1 and lim.overloads == 4
    steps = []
    for _ in range(4):
        _ok(lim)
        steps.append(round(lim.limit, 3))
    assert steps == [2.0, 2.5, 2.9, 3.245]  # +1/limit per success once congestion was seen


def test_queueing_cuts_to_below_the_requests_in_flight_and_holds_a_ceiling():
    lim = AdaptiveLimit(8, initial=4, probe_after=5)
    _ok(lim, latency=1.0)  # baseline: 0.1 s per work unit
    assert lim.current == 5
    assert _ok(lim, latency=2.0, in_flight=3)  # twice as slow with 3 in flight: the server serves fewer
    assert lim.current == 2 and lim.ceiling == 2 and lim.queue_signals == 1
    for _ in range(4):
        assert not _ok(lim, latency=1.0, in_flight=2)
    assert lim.current == 2  # held at the ceiling
    _ok(lim, latency=1.0, in_flight=2)
    assert lim.ceiling == 3 and lim.limit == 2.5  # after probe_after successes the ceiling moves up by one
    _ok(lim, latency=1.0, in_flight=2)
    _ok(lim, latency=1.0, in_flight=2)
    assert lim.current == 3 and lim.limit == 3.0  # additive growth, held at the new ceiling


def test_no_queueing_signal_from_jitter_or_lone_requests():
    lim = AdaptiveLimit(8, initial=2)
    _ok(lim, latency=0.002, work=1)
    assert not _ok(lim, latency=0.006, in_flight=2, work=1)  # 3x, but 4 ms is jitter, not a queue
    assert not _ok(lim, latency=5.0, in_flight=1, work=1)  # slow alone: nothing of ours to wait behind
    held = AdaptiveLimit(8, initial=2)
    _ok(held, in_flight=1)
    _ok(held, oldest=False)
    assert held.current == 2  # window not full; an older request still out: no growth yet
    _ok(held)
    assert held.current == 3
    fixed = AdaptiveLimit(8, initial=1, adaptive=False)
    fixed.on_overload("timeout")
    assert fixed.current == 8 and not _ok(fixed, latency=9.0, in_flight=8)


def _docs(n: int) -> list[list[dict]]:
    # equal lengths: equal work, so only waiting can make one reply slower than another
    return [[{"role": "user", "content": f"<text>\nوثيقة رقم {i:02d} عن الاقتصاد\n</text>"}] for i in range(n)]


def _client(server: OpenAIServer, **kw) -> ChatClient:
    opts = dict(api_key_env=None, max_concurrency=8, timeout_s=2.0, max_attempts=2, backoff_base_s=0.01,
                backoff_max_s=0.02, seed=3)
    opts.update(kw)
    return ChatClient(server.base_url, "one-slot", **opts)


def test_one_slot_server_gets_one_request_at_a_time_and_no_attempt_is_lost():
    with OpenAIServer(slots=1, service_s=0.4) as server:
        client = _client(server)
        results = client.complete_many(_docs(6))
        peak = server.peak_active
    assert all(r.ok for r in results)
    assert [r.attempts for r in results] == [1] * 6 and all(r.queue_timeouts == 0 for r in results)
    assert peak <= 2  # at most the one probe that showed the queue
    assert client.concurrency.current == 1 and client.concurrency.queue_signals >= 1
    assert results[-1].concurrency_limit == 1 and client.stats()["concurrency_limit"] == 1


def test_fixed_pool_of_eight_times_out_in_the_queue_without_burning_the_allowance():
    """The failure adaptive concurrency prevents: 8 at once on one slot, the last ones time out in its queue."""
    with OpenAIServer(slots=1, service_s=0.4) as server:
        client = _client(server, adaptive_concurrency=False)
        results = client.complete_many(_docs(8))  # served 0.4 s apart: the 6th and later wait past 2 s
        arrived = server.arrived
    assert server.peak_active >= 6
    waited = [r for r in results if r.queue_timeouts]
    assert waited, [(r.attempts, r.error) for r in results]
    # queue timeouts are sent requests (attempts) but not the request's fault: max_attempts still counts only others
    assert all(r.attempts - r.queue_timeouts <= 2 for r in results)
    assert sum(r.attempts for r in results) == arrived


def test_a_parallel_server_lets_the_limit_grow_to_the_maximum():
    with OpenAIServer(service_s=0.3) as server:  # every request served at once (a thread each)
        client = _client(server, max_concurrency=4)
        results = client.complete_many(_docs(16))
    assert all(r.ok and r.attempts == 1 for r in results)
    assert client.concurrency.peak_in_flight == 4 and server.peak_active == 4
