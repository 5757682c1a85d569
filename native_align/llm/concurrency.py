"""Adaptive concurrency for one endpoint: how many requests may be in flight right now (AIMD).

Why: a server serves only so many requests at once (llama.cpp with one slot: one); the rest wait in its queue
while our timeout runs, time out, are retried, and the server still generates the answers nobody reads. Holding
the extra requests on our side instead keeps every attempt's clock for the server's actual work.

The rule (``AdaptiveLimit``), all of it visible in logs (``concurrency limit a -> b (why)``):
- start at ``initial`` (default 1) and grow by 1 per success (slow start) until the first sign of congestion,
  then by 1/limit per success (one more per round of ``limit`` successes); never above ``max_limit``. Only a
  success that was sent into a full window (``limit`` requests in flight with it) and is the oldest one still in
  flight grows it: the size was really tried, and no earlier request is still out that may yet show a queue (the
  first request of a burst is always served at once, even by a one-slot server: it proves nothing);
- a timeout (also of the TCP connect), 429, 503 or 529 halves the limit (floor 1) and ends slow start;
- queueing: an ok reply that had other requests in flight beside it, whose latency per unit of work exceeds
  ``queue_factor`` x the baseline (a slowly rising minimum over recent replies) by at least 50 ms, shows the server
  served fewer than were in flight: the limit drops to one below the most requests in flight during its life, and
  that becomes a ceiling, probed again (+1) only after ``probe_after`` successes without queueing.
Work = completion tokens + prompt tokens / 10 (decoding dominates; prompt processing is roughly 10x faster).
``adaptive=False`` pins the limit to ``max_limit`` (the old fixed pool).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
from dataclasses import dataclass

log = logging.getLogger(__name__)

MIN_QUEUE_EXCESS_S = 0.05  # jitter on fast replies is not queueing
BASELINE_DRIFT = 1.02  # the baseline may rise 2 % per reply, so one lucky fast reply does not rule for ever
PROMPT_WORK = 0.1  # one prompt token costs about a tenth of a generated one


def work_units(prompt_tokens: int, completion_tokens: int) -> float:
    return max(1.0, completion_tokens + PROMPT_WORK * prompt_tokens)


class AdaptiveLimit:
    """The current limit and its evidence; plain state (no event loop), so the rule is testable step by step."""

    def __init__(self, max_limit: int, initial: int = 1, *, adaptive: bool = True,
                 queue_factor: float | None = 1.5, probe_after: int = 32, name: str = "chat"):
        self.max_limit = max(1, int(max_limit))
        self.adaptive = adaptive
        self.queue_factor = queue_factor
        self.probe_after = max(1, int(probe_after))
        self.name = name
        self.limit = float(min(self.max_limit, max(1, int(initial)))) if adaptive else float(self.max_limit)
        self.slow_start = True
        self.ceiling: int | None = None
        self._at_ceiling = 0
        self.baseline: float | None = None  # seconds per work unit
        self.in_flight = 0
        self.peak_in_flight = 0
        self.overloads = 0
        self.queue_signals = 0

    @property
    def current(self) -> int:
        """Requests that may be in flight now."""
        return max(1, min(self.max_limit, int(math.floor(self.limit + 1e-9))))

    def stats(self) -> dict[str, int]:
        return {"concurrency_limit": self.current, "peak_in_flight": self.peak_in_flight,
                "overloads": self.overloads, "queue_signals": self.queue_signals}

    def _set(self, value: float, why: str) -> None:
        before = self.current
        self.limit = min(float(self.max_limit), max(1.0, value))
        if self.current != before:
            log.info("%s: concurrency limit %d -> %d (%s)", self.name, before, self.current, why)

    # -- events -------------------------------------------------------------------------------------------------
    def on_success(self, latency_s: float, work: float, *, peak: int, at_send: int, oldest: bool = True) -> bool:
        """An ok reply: ``at_send`` requests were in flight when it was sent and at most ``peak`` during its life
        (itself included); ``oldest``: no request sent before it is still in flight. Returns True when it showed
        queueing (the limit was cut)."""
        per = latency_s / max(work, 1.0)
        base = self.baseline
        self.baseline = per if base is None else min(per, base * BASELINE_DRIFT)
        if not self.adaptive:
            return False
        queued = (self.queue_factor is not None and base is not None and peak > 1
                  and per > self.queue_factor * base and latency_s - base * work > MIN_QUEUE_EXCESS_S)
        if queued:
            self.queue_signals += 1
            self.slow_start = False
            self.ceiling = max(1, min(self.current, peak) - 1)
            self._at_ceiling = 0
            self._set(self.ceiling, f"queueing: {per / base:.1f}x the fastest latency per token with "
                                    f"{peak} in flight")
            return True
        if at_send < self.current or not oldest:
            return False  # sent into a window not full, or an earlier request may still show a queue
        grown = self.limit + (1.0 if self.slow_start else 1.0 / max(self.limit, 1.0))
        if self.ceiling is not None and grown > self.ceiling:
            self._at_ceiling += 1
            if self._at_ceiling < self.probe_after:
                self._set(self.ceiling, "at ceiling")
                return False
            self.ceiling = self.ceiling + 1 if self.ceiling + 1 < self.max_limit else None
            self._at_ceiling = 0
            why = "probing one more after a run of replies without queueing"
        else:
            why = "slow start" if self.slow_start else "additive increase"
        self._set(grown, why)
        return False

    def on_overload(self, reason: str) -> None:
        """A timeout, 429 or 503: halve."""
        self.overloads += 1
        if not self.adaptive:
            return
        self.slow_start = False
        self._set(self.limit / 2.0, reason)


@dataclass
class Ticket:
    """One request in flight: its send order and the most requests in flight (itself included) during its life."""

    seq: int
    at_send: int
    peak: int


class Slots:
    """Admits at most ``limit.current`` requests at once within one event loop (the limit may move meanwhile)."""

    def __init__(self, limit: AdaptiveLimit):
        self.limit = limit
        self._cond = asyncio.Condition()
        self._active: dict[int, Ticket] = {}
        self._seq = itertools.count()

    async def acquire(self) -> Ticket:
        """Wait for a free slot."""
        async with self._cond:
            await self._cond.wait_for(lambda: len(self._active) < self.limit.current)
            n = len(self._active) + 1
            ticket = Ticket(next(self._seq), n, n)
            self._active[ticket.seq] = ticket
            for t in self._active.values():
                t.peak = max(t.peak, n)
            self.limit.in_flight = n
            self.limit.peak_in_flight = max(self.limit.peak_in_flight, n)
            return ticket

    def oldest(self, ticket: Ticket) -> bool:
        return ticket.seq == min(self._active)

    async def release(self, ticket: Ticket) -> None:
        async with self._cond:
            self._active.pop(ticket.seq, None)
            self.limit.in_flight = len(self._active)
            self._cond.notify_all()
