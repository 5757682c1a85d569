"""An OpenAI-compatible chat client that never raises for one bad request.

Why our own: the expert annotation, the LLM judge, the HTTP rewrite engine and the moderation scorer all need the
same behaviour — adaptive concurrency (``concurrency.py``), client-side RPM/TPM limits, retries with exponential
backoff and jitter on 429 (honouring ``Retry-After``), 5xx, timeouts, connection errors and malformed JSON — and a
result object per request that says what happened (text, token usage, attempts, finish reason, error) so that
*every* document can be accounted for. The official SDK raises, hides attempts and pulls in httpx.

Endpoint variants: OpenAI-style URLs with ``Authorization: Bearer`` (OpenAI, vLLM, llama.cpp) or Azure OpenAI's
deployment URLs with ``api-version`` and an ``api-key`` header; extra headers and query parameters; system
messages sent as they are or folded into the first user turn for chat templates that drop the system role.

The API key is read from the environment variable named by ``api_key_env`` at request time. It is never stored
on the object, never part of ``repr``, never logged, and redacted from any error text a server echoes back.

Hooks for clients of other OpenAI endpoints (``native_align.moderation.client.ModerationsClient``): the class
attribute ``path``, :meth:`build_body` and :meth:`parse_reply`; the retry loop stays here.

Usage::

    client = ChatClient.from_config(settings.expert)
    results = client.complete_many([[{"role": "user", "content": "..."}], ...])
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import quote

import aiohttp

from native_align.llm.concurrency import AdaptiveLimit, Slots, work_units
from native_align.llm.config import clean_model_id
from native_align.llm.ratelimit import RateLimiter
from native_align.llm.wire import (EXCERPT_CHARS, error_excerpt, estimate_tokens, fold_system,  # noqa: F401
                                    parse_retry_after)

log = logging.getLogger(__name__)

Message = dict[str, str]
# Called before a request is first sent, with its index; False: do not send it (result error "stopped").
Gate = Callable[[int, Sequence[Message]], bool]
# Called once per request when its final result is known (index, result).
OnResult = Callable[[int, "ChatResult"], None]

STOPPED = "stopped"
RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})
# Statuses that mean "too many requests for this server right now": the concurrency limit halves.
OVERLOAD_STATUS = frozenset({429, 503, 529})
# What parse_reply may raise for a reply it cannot read (retried as "malformed response").
MALFORMED = (ValueError, KeyError, IndexError, TypeError, AttributeError)


@dataclass(frozen=True)
class ChatResult:
    """Outcome of one chat request after all its attempts. ``error`` is None exactly when ``text`` is usable."""

    text: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # HTTP requests sent for it (each one reached the server or failed trying).
    attempts: int = 0
    finish_reason: str | None = None
    error: str | None = None
    # True when usage was missing from the reply and the counts are estimates (chars / 4).
    usage_estimated: bool = False
    # Of the attempts, timeouts while other requests of ours were in flight: queueing, not this request's fault,
    # so they did not use up max_attempts (at most max_attempts of them).
    queue_timeouts: int = 0
    # The adaptive concurrency limit when this request ended.
    concurrency_limit: int | None = None
    # The model the server says answered (llama.cpp: often its file path); tables store the client's model_id.
    server_model: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def stopped(self) -> bool:
        """Never sent because the caller's gate (e.g. a budget cap) said stop."""
        return self.error == STOPPED


class _Retry(Exception):
    """An attempt failed in a way worth retrying; ``after`` is a server-requested delay, if any."""

    def __init__(self, reason: str, after: float | None = None, *, timeout: bool = False, overload: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.after = after
        self.timeout = timeout
        self.overload = overload


class _Fatal(Exception):
    """An attempt failed in a way retrying cannot fix (e.g. 400, 401)."""


class ChatClient:
    """Async OpenAI-compatible chat client with a sync :meth:`complete_many` wrapper."""

    # The endpoint after the base URL (or after the Azure deployment): a subclass for another endpoint changes it.
    path = "chat/completions"

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str | None = "OPENAI_API_KEY",
        *,
        model_alias: str | None = None,
        url_style: str = "openai",
        deployment: str | None = None,
        api_version: str | None = None,
        auth_header: str | None = None,
        auth_scheme: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        query_params: Mapping[str, str] | None = None,
        system_prompt: str = "system",
        max_concurrency: int = 8,
        initial_concurrency: int = 1,
        adaptive_concurrency: bool = True,
        queue_factor: float | None = 1.5,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        timeout_s: float = 120.0,
        connect_timeout_s: float = 10.0,
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
        if url_style not in ("openai", "azure"):
            raise ValueError(f"url_style must be openai or azure, not {url_style!r}")
        if system_prompt not in ("system", "fold"):
            raise ValueError(f"system_prompt must be system or fold, not {system_prompt!r}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.model_alias = model_alias
        self.api_key_env = api_key_env
        self.url_style = url_style
        self.deployment = deployment
        self.auth_header = auth_header or ("api-key" if url_style == "azure" else "Authorization")
        if auth_scheme is None:
            auth_scheme = "Bearer" if self.auth_header.lower() == "authorization" else ""
        self.auth_scheme = auth_scheme
        self.extra_headers = dict(extra_headers or {})
        self.query_params = dict(query_params or {})
        if api_version:
            self.query_params["api-version"] = api_version
        self.system_prompt = system_prompt
        self.max_concurrency = max(1, int(max_concurrency))
        self.concurrency = AdaptiveLimit(self.max_concurrency, initial_concurrency, adaptive=adaptive_concurrency,
                                         queue_factor=queue_factor, name=f"{type(self).__name__}[{self.model_id}]")
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.timeout_s = float(timeout_s)
        self.connect_timeout_s = float(connect_timeout_s)
        self.max_attempts = max(1, int(max_attempts))
        self.backoff_base_s = float(backoff_base_s)
        self.backoff_max_s = float(backoff_max_s)
        self.max_retry_after_s = float(max_retry_after_s)
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.extra_body = dict(extra_body or {})
        self._rng = random.Random(seed)
        self._warned: set[str] = set()
        self.system_turn_suspect = 0  # replies whose prompt_tokens suggest the system text was dropped

    _CONFIG_FIELDS = ("model_alias", "url_style", "deployment", "api_version", "auth_header", "auth_scheme",
                      "extra_headers", "query_params", "system_prompt", "max_concurrency", "initial_concurrency",
                      "adaptive_concurrency", "queue_factor", "requests_per_minute", "tokens_per_minute",
                      "timeout_s", "connect_timeout_s", "max_attempts", "backoff_base_s", "backoff_max_s",
                      "max_retry_after_s", "temperature", "max_tokens")

    @classmethod
    def from_config(cls, cfg, **overrides) -> "ChatClient":
        """Build from a :class:`~native_align.llm.config.ChatEndpointConfig` (or a subclass)."""
        if not cfg.base_url:
            raise ValueError("the endpoint's base_url is not configured")
        kwargs = dict(base_url=cfg.base_url, model=cfg.model, api_key_env=cfg.api_key_env)
        kwargs.update({name: getattr(cfg, name) for name in cls._CONFIG_FIELDS})
        kwargs.update(overrides)
        return cls(**kwargs)

    def __repr__(self) -> str:  # the key is not an attribute; say only where it comes from
        return (f"{type(self).__name__}(base_url={self.base_url!r}, model={self.model!r}, url_style="
                f"{self.url_style!r}, api_key_env={self.api_key_env!r}, auth_header={self.auth_header!r}, "
                f"max_concurrency={self.max_concurrency}, max_attempts={self.max_attempts})")

    @property
    def model_id(self) -> str:
        """The model name for tables and reports: the alias or the configured name, never a file path."""
        return clean_model_id(self.model_alias or self.model)

    def stats(self) -> dict[str, int]:
        """The adaptive concurrency's state (current limit, peak in flight, overloads, queueing signals)."""
        return {**self.concurrency.stats(), "system_turn_suspect": self.system_turn_suspect}

    # -- secrets ------------------------------------------------------------------------------------------------
    def _api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def _redact(self, text: str) -> str:
        key = self._api_key()
        if not key:
            return text
        for form in {key, quote(key, safe="")}:
            text = text.replace(form, "***")
        return text

    # -- one request --------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self.url_style == "azure":
            deployment = quote(self.deployment or self.model, safe="")
            return f"{self.base_url}/openai/deployments/{deployment}/{self.path}"
        return f"{self.base_url}/{self.path}"

    def headers(self) -> dict[str, str]:
        """Request headers: JSON, the extra headers, and the key (read now) in the configured auth header."""
        headers = {"Content-Type": "application/json", **self.extra_headers}
        key = self._api_key()
        if key:
            headers[self.auth_header] = f"{self.auth_scheme} {key}" if self.auth_scheme else key
        return headers

    def build_body(self, messages: Sequence[Message], params: dict[str, Any]) -> dict[str, Any]:
        """The JSON body of one request (hook: another endpoint builds its own)."""
        msgs = fold_system(messages) if self.system_prompt == "fold" else [dict(m) for m in messages]
        body: dict[str, Any] = {"model": self.model, "messages": msgs}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        body.update(self.extra_body)
        body.update(params)
        return body

    def parse_reply(self, raw: bytes, body: dict[str, Any]) -> ChatResult:
        """A 200 reply as a result (hook). Raise one of ``MALFORMED`` for a reply that cannot be read: retried."""
        data = json.loads(raw)
        choice = data["choices"][0]
        text = choice["message"]["content"]
        if not isinstance(text, str):
            raise TypeError("content is not a string")
        usage = data.get("usage") or {}
        pt, ct = usage.get("prompt_tokens"), usage.get("completion_tokens")
        estimated = not isinstance(pt, int) or not isinstance(ct, int)
        if estimated:
            pt = estimate_tokens("".join(str(m.get("content", "")) for m in body.get("messages", [])))
            ct = estimate_tokens(text)
        model = data.get("model")
        return ChatResult(text=text, prompt_tokens=int(pt), completion_tokens=int(ct),
                          finish_reason=choice.get("finish_reason"), usage_estimated=estimated,
                          server_model=model if isinstance(model, str) else None)

    def _backoff(self, attempt: int, after: float | None) -> float:
        """Full-jitter exponential backoff; a server's Retry-After is a floor (clamped)."""
        base = min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))
        delay = base * (0.5 + 0.5 * self._rng.random())
        if after is not None:
            delay = max(delay, min(after, self.max_retry_after_s))
        return delay

    async def _attempt(self, session: aiohttp.ClientSession, body: dict[str, Any]) -> ChatResult:
        try:
            async with session.post(self.url, params=self.query_params or None, json=body,
                                    headers=self.headers()) as resp:
                raw = await resp.read()
                if resp.status in RETRYABLE_STATUS:
                    after = parse_retry_after(resp.headers.get("Retry-After"))
                    raise _Retry(f"HTTP {resp.status}: {error_excerpt(raw, self._redact)}", after,
                                 overload=resp.status in OVERLOAD_STATUS)
                if resp.status >= 400:
                    raise _Fatal(f"HTTP {resp.status}: {error_excerpt(raw, self._redact)}")
        except aiohttp.ConnectionTimeoutError:
            raise _Retry(f"connect timeout ({self.connect_timeout_s:g}s)", overload=True) from None
        except asyncio.TimeoutError:
            raise _Retry(f"timeout ({self.timeout_s:g}s)", timeout=True, overload=True) from None
        except aiohttp.ClientError as exc:
            raise _Retry(self._redact(f"connection error: {type(exc).__name__}: {exc}")[:EXCERPT_CHARS]) from None
        try:
            return self.parse_reply(raw, body)
        except MALFORMED as exc:
            raise _Retry(f"malformed response: {type(exc).__name__}") from None

    # -- checks on ok replies -----------------------------------------------------------------------------------
    def _warn_once(self, key: str, level: int, msg: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.log(level, msg, *args)

    def _check_reply(self, body: dict[str, Any], res: ChatResult) -> None:
        """Warn (once per client) when the reported prompt tokens show the system text missing, and say which
        model name the server reports against the one tables store."""
        messages = body.get("messages") or []
        system = "".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
        if system and not res.usage_estimated:
            sys_est = estimate_tokens(system)
            rest_est = estimate_tokens("".join(str(m.get("content", "")) for m in messages
                                               if m.get("role") != "system"))
            if sys_est >= 32 and res.prompt_tokens < rest_est + 0.5 * sys_est:
                self.system_turn_suspect += 1
                self._warn_once("system", logging.WARNING,
                                "%s: the endpoint counted %d prompt tokens for messages of ~%d tokens, ~%d of them "
                                "in the system turn: its chat template probably drops the system role (llama.cpp "
                                "logs that only at debug level). Set system_prompt: fold to put the system text "
                                "into the first user turn.", self.model_id, res.prompt_tokens, sys_est + rest_est,
                                sys_est)
        if res.server_model and res.server_model != self.model:
            self._warn_once("model", logging.INFO, "%s: the endpoint reports model %r for requests naming %r; "
                            "tables store %r", self.model_id, res.server_model, self.model, self.model_id)

    # -- the retry loop -----------------------------------------------------------------------------------------
    async def _complete(self, session, limiter: RateLimiter, slots: Slots, messages: Sequence[Message],
                        params: dict[str, Any]) -> ChatResult:
        body = self.build_body(messages, params)
        estimate = estimate_tokens("".join(str(m.get("content", "")) for m in messages)) + int(self.max_tokens or 0)
        sent = counted = queued = 0
        last = "no attempt"
        while counted < self.max_attempts:
            await limiter.acquire(estimate)
            ticket = await slots.acquire()
            t0 = time.monotonic()
            sent += 1
            try:
                result = await self._attempt(session, body)
            except _Fatal as exc:
                await slots.release(ticket)
                log.warning("chat request failed (attempt %d, not retried): %s", sent, exc)
                return ChatResult(text=None, attempts=sent, error=str(exc), queue_timeouts=queued,
                                  concurrency_limit=self.concurrency.current)
            except _Retry as exc:
                if exc.overload:
                    self.concurrency.on_overload(exc.reason.split(":")[0])
                await slots.release(ticket)
                last = exc.reason
                if exc.timeout and ticket.peak > 1 and queued < self.max_attempts:
                    queued += 1  # waited behind our own requests: the limit was cut, the allowance is kept
                else:
                    counted += 1
                if counted >= self.max_attempts:
                    break
                delay = self._backoff(counted + queued, exc.after)
                log.info("chat request attempt %d (%d/%d counted) failed (%s); retrying in %.2fs", sent, counted,
                         self.max_attempts, exc.reason, delay)
                await asyncio.sleep(delay)
                continue
            latency = time.monotonic() - t0
            self.concurrency.on_success(latency, work_units(result.prompt_tokens, result.completion_tokens),
                                        peak=ticket.peak, at_send=ticket.at_send, oldest=slots.oldest(ticket))
            await slots.release(ticket)
            self._check_reply(body, result)
            return dataclasses.replace(result, attempts=sent, queue_timeouts=queued,
                                       concurrency_limit=self.concurrency.current)
        return ChatResult(text=None, attempts=sent, error=f"gave up after {sent} attempts: {last}",
                          queue_timeouts=queued, concurrency_limit=self.concurrency.current)

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
        slots = Slots(self.concurrency)
        results: list[ChatResult | None] = [None] * len(requests)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(len(requests)):
            queue.put_nowait(i)
        # total: one attempt, counted from when it is sent (a free slot is awaited before); sock_connect: TCP only.
        timeout = aiohttp.ClientTimeout(total=self.timeout_s, sock_connect=self.connect_timeout_s)
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
                        res = await self._complete(session, limiter, slots, requests[i], params)
                    except Exception as exc:  # never let one request take the batch down
                        res = ChatResult(text=None, attempts=1,
                                         error=self._redact(f"client error: {type(exc).__name__}: {exc}"))
                results[i] = res
                if on_result is not None:
                    on_result(i, res)

        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            n = min(self.max_concurrency, len(requests))
            await asyncio.gather(*(worker(session) for _ in range(n)))
        if requests:
            log.info("%s: %d requests; %s", type(self).__name__, len(requests), self.stats())
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
