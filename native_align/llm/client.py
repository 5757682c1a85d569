"""An OpenAI-compatible chat client that never raises for one bad request.

Why our own: the expert annotation, the LLM judge and the HTTP rewrite engine all need the same behaviour —
bounded concurrency, client-side RPM/TPM limits, retries with exponential backoff and jitter on 429 (honouring
``Retry-After``), 5xx, timeouts, connection errors and malformed JSON — and a result object per request that says
what happened (text, token usage, attempts, finish reason, error) so that *every* document can be accounted for.
The official SDK raises, hides attempts and pulls in httpx; this is ~300 lines of aiohttp.

The API key is read from the environment variable named by ``api_key_env`` at request time. It is never stored
on the object, never part of ``repr``, never logged, and redacted from any error text a server echoes back.

Usage::

    client = ChatClient.from_config(settings.expert)
    results = client.complete_many([[{"role": "user", "content": "..."}], ...])
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import aiohttp

from native_align.llm.ratelimit import RateLimiter

log = logging.getLogger(__name__)

Message = dict[str, str]
# Called before a request is first sent, with its index; False: do not send it (result error "stopped").
Gate = Callable[[int, Sequence[Message]], bool]
# Called once per request when its final result is known (index, result).
OnResult = Callable[[int, "ChatResult"], None]

STOPPED = "stopped"
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(frozen=True)
class ChatResult:
    """Outcome of one chat request after all its attempts. ``error`` is None exactly when ``text`` is usable."""

    text: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    finish_reason: str | None = None
    error: str | None = None
    # True when usage was missing from the reply and the counts are estimates (chars / 4).
    usage_estimated: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def stopped(self) -> bool:
        """Never sent because the caller's gate (e.g. a budget cap) said stop."""
        return self.error == STOPPED


class _Retry(Exception):
    """An attempt failed in a way worth retrying; ``after`` is a server-requested delay, if any."""

    def __init__(self, reason: str, after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.after = after


class _Fatal(Exception):
    """An attempt failed in a way retrying cannot fix (e.g. 400, 401)."""


def estimate_tokens(text: str) -> int:
    """Rough token count (≈ 4 chars per token for mixed Arabic/Latin BPE); for limits and missing usage only."""
    return max(1, len(text) // 4)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. None if absent/unparsable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class ChatClient:
    """Async OpenAI-compatible chat client with a sync :meth:`complete_many` wrapper."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str | None = "OPENAI_API_KEY",
        *,
        max_concurrency: int = 8,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        timeout_s: float = 120.0,
        max_attempts: int = 6,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
        max_retry_after_s: float = 120.0,
        temperature: float | None = 0.2,
        max_tokens: int | None = 4096,
        extra_body: dict[str, Any] | None = None,
        seed: int | None = None,
    ):
        if not base_url:
            raise ValueError("base_url is required")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.max_concurrency = max(1, int(max_concurrency))
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.timeout_s = float(timeout_s)
        self.max_attempts = max(1, int(max_attempts))
        self.backoff_base_s = float(backoff_base_s)
        self.backoff_max_s = float(backoff_max_s)
        self.max_retry_after_s = float(max_retry_after_s)
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.extra_body = dict(extra_body or {})
        self._rng = random.Random(seed)

    @classmethod
    def from_config(cls, cfg, **overrides) -> "ChatClient":
        """Build from a :class:`~native_align.llm.config.ChatEndpointConfig` (or a subclass)."""
        if not cfg.base_url:
            raise ValueError("the endpoint's base_url is not configured")
        kwargs = dict(
            base_url=cfg.base_url, model=cfg.model, api_key_env=cfg.api_key_env,
            max_concurrency=cfg.max_concurrency, requests_per_minute=cfg.requests_per_minute,
            tokens_per_minute=cfg.tokens_per_minute, timeout_s=cfg.timeout_s, max_attempts=cfg.max_attempts,
            backoff_base_s=cfg.backoff_base_s, backoff_max_s=cfg.backoff_max_s,
            max_retry_after_s=cfg.max_retry_after_s, temperature=cfg.temperature, max_tokens=cfg.max_tokens,
        )
        kwargs.update(overrides)
        return cls(**kwargs)

    def __repr__(self) -> str:  # the key is not an attribute; say only where it comes from
        return (f"ChatClient(base_url={self.base_url!r}, model={self.model!r}, api_key_env={self.api_key_env!r}, "
                f"max_concurrency={self.max_concurrency}, max_attempts={self.max_attempts})")

    # -- secrets ------------------------------------------------------------------------------------------------
    def _api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def _redact(self, text: str) -> str:
        key = self._api_key()
        return text.replace(key, "***") if key else text

    # -- one request --------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def _body(self, messages: Sequence[Message], params: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": list(messages)}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        body.update(self.extra_body)
        body.update(params)
        return body

    def _backoff(self, attempt: int, after: float | None) -> float:
        """Full-jitter exponential backoff; a server's Retry-After is a floor (clamped)."""
        base = min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))
        delay = base * (0.5 + 0.5 * self._rng.random())
        if after is not None:
            delay = max(delay, min(after, self.max_retry_after_s))
        return delay

    async def _attempt(self, session: aiohttp.ClientSession, body: dict[str, Any]) -> ChatResult:
        headers = {"Content-Type": "application/json"}
        key = self._api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        try:
            async with session.post(self.url, json=body, headers=headers) as resp:
                raw = await resp.read()
                if resp.status in RETRYABLE_STATUS:
                    after = parse_retry_after(resp.headers.get("Retry-After"))
                    raise _Retry(f"HTTP {resp.status}", after)
                if resp.status >= 400:
                    snippet = self._redact(raw[:200].decode("utf-8", "replace"))
                    raise _Fatal(f"HTTP {resp.status}: {snippet}")
        except asyncio.TimeoutError:
            raise _Retry("timeout") from None
        except aiohttp.ClientError as exc:
            raise _Retry(f"connection error: {type(exc).__name__}") from None
        try:
            data = json.loads(raw)
            choice = data["choices"][0]
            text = choice["message"]["content"]
            if not isinstance(text, str):
                raise TypeError("content is not a string")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _Retry(f"malformed response: {type(exc).__name__}") from None
        usage = data.get("usage") or {}
        pt, ct = usage.get("prompt_tokens"), usage.get("completion_tokens")
        estimated = not isinstance(pt, int) or not isinstance(ct, int)
        if estimated:
            pt = estimate_tokens("".join(m.get("content", "") for m in body["messages"]))
            ct = estimate_tokens(text)
        return ChatResult(text=text, prompt_tokens=int(pt), completion_tokens=int(ct),
                          finish_reason=choice.get("finish_reason"), usage_estimated=estimated)

    async def _complete(self, session, limiter: RateLimiter, messages: Sequence[Message],
                        params: dict[str, Any]) -> ChatResult:
        body = self._body(messages, params)
        estimate = estimate_tokens("".join(m.get("content", "") for m in messages)) + int(self.max_tokens or 0)
        last = "no attempt"
        for attempt in range(1, self.max_attempts + 1):
            await limiter.acquire(estimate)
            try:
                result = await self._attempt(session, body)
            except _Fatal as exc:
                log.warning("chat request failed (attempt %d, not retried): %s", attempt, exc)
                return ChatResult(text=None, attempts=attempt, error=str(exc))
            except _Retry as exc:
                last = exc.reason
                if attempt >= self.max_attempts:
                    break
                delay = self._backoff(attempt, exc.after)
                log.info("chat request attempt %d/%d failed (%s); retrying in %.2fs",
                         attempt, self.max_attempts, exc.reason, delay)
                await asyncio.sleep(delay)
                continue
            return ChatResult(text=result.text, prompt_tokens=result.prompt_tokens,
                              completion_tokens=result.completion_tokens, attempts=attempt,
                              finish_reason=result.finish_reason, usage_estimated=result.usage_estimated)
        return ChatResult(text=None, attempts=self.max_attempts,
                          error=f"gave up after {self.max_attempts} attempts: {last}")

    # -- many requests ------------------------------------------------------------------------------------------
    async def acomplete_many(
        self,
        requests: Sequence[Sequence[Message]],
        *,
        gate: Gate | None = None,
        on_result: OnResult | None = None,
        **params: Any,
    ) -> list[ChatResult]:
        """One :class:`ChatResult` per request, in input order. ``gate`` can refuse to start a request (budget)."""
        limiter = RateLimiter(self.requests_per_minute, self.tokens_per_minute)
        results: list[ChatResult | None] = [None] * len(requests)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(len(requests)):
            queue.put_nowait(i)
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        connector = aiohttp.TCPConnector(limit=self.max_concurrency)

        async def worker(session: aiohttp.ClientSession) -> None:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if gate is not None and not gate(i, requests[i]):
                    res = ChatResult(text=None, attempts=0, error=STOPPED)
                else:
                    try:
                        res = await self._complete(session, limiter, requests[i], params)
                    except Exception as exc:  # never let one request take the batch down
                        res = ChatResult(text=None, attempts=1,
                                         error=self._redact(f"client error: {type(exc).__name__}: {exc}"))
                results[i] = res
                if on_result is not None:
                    on_result(i, res)

        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            n = min(self.max_concurrency, len(requests))
            await asyncio.gather(*(worker(session) for _ in range(n)))
        return [r for r in results]  # type: ignore[misc]

    async def acomplete(self, messages: Sequence[Message], **params: Any) -> ChatResult:
        return (await self.acomplete_many([messages], **params))[0]

    def complete_many(self, requests: Sequence[Sequence[Message]], *, gate: Gate | None = None,
                      on_result: OnResult | None = None, **params: Any) -> list[ChatResult]:
        """Sync wrapper; works also where an event loop already runs (notebooks) by using a worker thread."""
        coro_factory = lambda: self.acomplete_many(requests, gate=gate, on_result=on_result, **params)  # noqa: E731
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coro_factory())
        box: dict[str, Any] = {}

        def runner() -> None:
            try:
                box["value"] = asyncio.run(coro_factory())
            except BaseException as exc:  # re-raised in the caller's thread
                box["error"] = exc

        thread = threading.Thread(target=runner, name="chat-client", daemon=True)
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    def complete(self, messages: Sequence[Message], **params: Any) -> ChatResult:
        return self.complete_many([messages], **params)[0]
