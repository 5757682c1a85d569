"""Async token-bucket limiters for requests per minute and tokens per minute.

Providers meter both; staying under them client-side avoids spending attempts on 429s. A bucket holds up to one
minute's allowance and refills continuously; a request larger than the whole allowance waits for a full bucket
(instead of forever).
"""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """``per_minute`` units per minute; ``acquire(n)`` waits until ``n`` units are available, then takes them."""

    def __init__(self, per_minute: float, clock=time.monotonic):
        if per_minute <= 0:
            raise ValueError("per_minute must be > 0")
        self.capacity = float(per_minute)
        self.rate = float(per_minute) / 60.0
        self._clock = clock
        self._level = self.capacity
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._level = min(self.capacity, self._level + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self, n: float = 1.0) -> float:
        """Take ``n`` units (clamped to the capacity); returns the seconds waited."""
        n = min(float(n), self.capacity)
        waited = 0.0
        async with self._lock:  # FIFO-ish: one waiter drains at a time, so large requests are not starved
            while True:
                self._refill()
                if self._level >= n:
                    self._level -= n
                    return waited
                delay = (n - self._level) / self.rate
                waited += delay
                await asyncio.sleep(delay)


class RateLimiter:
    """Both limits together; either may be None (unlimited)."""

    def __init__(self, requests_per_minute: float | None, tokens_per_minute: float | None):
        self.requests = TokenBucket(requests_per_minute) if requests_per_minute else None
        self.tokens = TokenBucket(tokens_per_minute) if tokens_per_minute else None

    async def acquire(self, estimated_tokens: int) -> None:
        if self.requests is not None:
            await self.requests.acquire(1)
        if self.tokens is not None:
            await self.tokens.acquire(max(1, estimated_tokens))
