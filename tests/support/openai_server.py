"""A real local HTTP server speaking OpenAI's ``/v1/chat/completions``, with deterministic failure injection.

Why: the expert client, the HTTP rewrite engine and the LLM judge must be tested against real sockets, real
status codes, real slow replies and real broken bodies — not against a patched function. The server runs
``http.server.ThreadingHTTPServer`` in a background thread on 127.0.0.1 and a free port.

Failure injection is deterministic by ``seed``: whether the n-th request carrying a given content fails (and how)
is a function of (seed, content, n) only, independent of thread scheduling. Kinds: ``429`` (with Retry-After),
``500``, ``timeout`` (the reply is delayed by ``slow_s`` — longer than the client's timeout), ``malformed``
(a 200 with a body that is not valid JSON). ``always_fail`` marks contents (substring match) that always get 500.

The default reply is a deterministic "rewrite": the document text from the last user message with ad / phone /
link lines removed, so guardrails (still Arabic, length ratio, numbers kept) pass on ordinary documents.
``reply_fn(messages) -> str`` replaces it (a judge returning JSON, for example).

``/v1/moderations`` speaks OpenAI's moderation format (``{"model", "input": str | [str]}`` -> ``results[i]`` with
``flagged``, ``categories``, ``category_scores``): a text scores 0.9 in a category when it contains one of the
``moderation_words`` mapped to that category (word -> OpenAI category name), else 0.01. Failures are injected the
same way, keyed by the request's inputs joined with newlines (``malformed``: a truncated body).

Azure OpenAI's deployment route ``/openai/deployments/{name}/chat/completions?api-version=...`` is served like
``/v1/chat/completions`` (``root_url`` is the base for it). Real-server behaviour, each off by default:
``slots=N`` serves at most N chat requests at once (the rest wait inside the server, as with llama.cpp's slots),
each ok reply taking ``service_s``; ``drop_system=True`` counts prompt tokens without the system turns (a chat
template without a system role); ``reported_model`` is the model name replies carry (llama.cpp: its file path);
``error_detail`` is appended to the message of chat 500s (a server echoing internals, or a key, into errors).

Every request is logged: content key -> count, the Authorization headers received (so a test can assert the key
was *sent*), the raw bodies, and each request's path, query parameters and headers. Usage::

    with OpenAIServer(fail_rate=0.3, seed=7) as server:
        client = ChatClient(server.base_url, "test-model", api_key_env="MY_KEY", timeout_s=0.5)
        ...
        assert server.count_for("some text") == 1
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Sequence
from urllib.parse import parse_qs, urlsplit

FAILURE_KINDS = ("429", "500", "timeout", "malformed")
MODERATION_CATEGORIES = ("harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
                         "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "sexual",
                         "sexual/minors", "violence", "violence/graphic")

# Lines a polishing rewrite drops: phone numbers, links, ad / call-to-action words (Arabic and English).
_AD_LINE = re.compile(
    r"(\+?\d[\d\s\-]{7,}\d|https?://|www\.|"
    r"\b(?:واتساب|واتس|اتصل|للإعلان|للاعلان|إعلان|اعلان|خصم|عرض خاص|تخفيضات|اشترك|سارع|call|whatsapp|sale)\b)",
    re.IGNORECASE,
)
# Where the document sits inside a prompt, if the template fences it; else the whole last user message is used.
_FENCES = (
    re.compile(r"<text>\s*(.*?)\s*</text>", re.S),
    re.compile(r"<document>\s*(.*?)\s*</document>", re.S),
    re.compile(r"```(?:text)?\s*\n(.*?)\n\s*```", re.S),
    re.compile(r"<<<\s*(.*?)\s*>>>", re.S),
)


def last_user_content(messages: Sequence[dict]) -> str:
    for msg in reversed(list(messages)):
        if msg.get("role") == "user":
            content = msg.get("content", "")
            return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return ""


# An instruction header: a first paragraph ending in a colon ("أعد صياغة النص التالي وفق القواعد:").
_HEADER = re.compile(r"\A[^\n]{0,300}[:：]\s*\n\s*\n", re.S)


def document_from_prompt(user_content: str, template: str | None = None) -> str:
    """The document inside a prompt: by ``template`` (a string with ``{text}``) when given, else the last
    fenced block, else the message minus a leading instruction paragraph that ends in a colon."""
    if template and "{text}" in template:
        before, after = template.split("{text}", 1)
        m = re.fullmatch(re.escape(before.strip()) + r"\s*(.*?)\s*" + re.escape(after.strip()),
                         user_content.strip(), re.S)
        if m:
            return m.group(1)
    for fence in _FENCES:
        found = list(fence.finditer(user_content))
        if found:  # the last one: instructions may mention the fence itself ("between <text> and </text>")
            return found[-1].group(1)
    return _HEADER.sub("", user_content, count=1)


def clean_rewrite(messages: Sequence[dict]) -> str:
    """Deterministic 'polished' text: the document without ad/phone/link lines, blank runs collapsed."""
    text = document_from_prompt(last_user_content(messages))
    kept = [line.strip() for line in text.splitlines() if line.strip() and not _AD_LINE.search(line)]
    return "\n".join(kept) if kept else text.strip()


@dataclass
class RequestRecord:
    content: str
    authorization: str | None
    body: dict | None
    outcome: str  # ok | 429 | 500 | timeout | malformed | always_fail | bad_request
    path: str = ""  # without the query string
    query: dict = field(default_factory=dict)  # name -> last value
    headers: dict = field(default_factory=dict)  # as received (test memory only)


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter = field(default_factory=Counter)
    records: list[RequestRecord] = field(default_factory=list)
    arrived: int = 0  # chat requests received (served, or still waiting for a slot)
    active: int = 0  # chat requests inside the server now (waiting for a slot or served)
    peak_active: int = 0


class OpenAIServer:
    """Context manager running the fake-but-real endpoint; ``base_url`` ends in ``/v1``."""

    def __init__(
        self,
        *,
        fail_rate: float = 0.0,
        kinds: Sequence[str] = FAILURE_KINDS,
        seed: int = 0,
        retry_after_s: float = 0.05,
        slow_s: float = 1.0,
        always_fail: Sequence[str] = (),
        reply_fn: Callable[[Sequence[dict]], str] | None = None,
        model: str = "test-model",
        moderation_words: dict[str, str] | None = None,
        slots: int | None = None,
        service_s: float = 0.0,
        drop_system: bool = False,
        reported_model: str | None = None,
        error_detail: str | None = None,
    ):
        unknown = set(kinds) - set(FAILURE_KINDS)
        if unknown:
            raise ValueError(f"unknown failure kinds {sorted(unknown)}; known: {FAILURE_KINDS}")
        self.fail_rate = float(fail_rate)
        self.kinds = tuple(kinds)
        self.seed = seed
        self.retry_after_s = retry_after_s
        self.slow_s = slow_s
        self.always_fail = tuple(always_fail)
        self.reply_fn = reply_fn or clean_rewrite
        self.model = model
        self.moderation_words = dict(moderation_words or {})
        unknown_cats = set(self.moderation_words.values()) - set(MODERATION_CATEGORIES)
        if unknown_cats:
            raise ValueError(f"unknown moderation categories {sorted(unknown_cats)}")
        self.slots = slots
        self.service_s = float(service_s)
        self.drop_system = drop_system
        self.reported_model = reported_model
        self.error_detail = error_detail
        self._slot_sem = threading.BoundedSemaphore(slots) if slots else None
        self._state = _State()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- decisions ----------------------------------------------------------------------------------------------
    def decide(self, content: str, nth: int) -> str:
        """'ok' or a failure kind for the ``nth`` (1-based) request carrying ``content``; pure function."""
        if any(marker in content for marker in self.always_fail):
            return "always_fail"
        if self.fail_rate <= 0:
            return "ok"
        digest = hashlib.sha256(f"{self.seed}\x00{nth}\x00{content}".encode("utf-8")).hexdigest()
        rng = random.Random(int(digest[:16], 16))
        if rng.random() >= self.fail_rate:
            return "ok"
        return self.kinds[rng.randrange(len(self.kinds))]

    # -- request log --------------------------------------------------------------------------------------------
    @property
    def records(self) -> list[RequestRecord]:
        with self._state.lock:
            return list(self._state.records)

    @property
    def total_requests(self) -> int:
        with self._state.lock:
            return len(self._state.records)

    def count_for(self, text: str) -> int:
        """Requests whose last user message contains ``text``."""
        return sum(1 for r in self.records if text in r.content)

    def counts_by_content(self) -> dict[str, int]:
        with self._state.lock:
            return dict(self._state.counts)

    def authorizations(self) -> list[str | None]:
        return [r.authorization for r in self.records]

    @property
    def arrived(self) -> int:
        """Chat requests received, including those still waiting for a slot (``records`` has them once served)."""
        with self._state.lock:
            return self._state.arrived

    @property
    def peak_active(self) -> int:
        """Most chat requests that were inside the server at once (with ``slots``: served + waiting)."""
        with self._state.lock:
            return self._state.peak_active

    def reset_log(self) -> None:
        with self._state.lock:
            self._state.records.clear()
            # counts keep driving the failure decisions; a reset log must not replay the same failures

    # -- lifecycle ----------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def root_url(self) -> str:
        """The server without ``/v1``: the base URL of Azure-style deployment routes."""
        return self.base_url[: -len("/v1")]

    def start(self) -> "OpenAIServer":
        handler = _make_handler(self)
        self._httpd = _QuietHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="openai-test-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "OpenAIServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- handling -----------------------------------------------------------------------------------------------
    def _handle(self, body: dict | None, authorization: str | None,
                meta: dict | None = None) -> tuple[int, dict[str, str], bytes]:
        meta = meta or {}
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            with self._state.lock:
                self._state.records.append(RequestRecord("", authorization, body, "bad_request", **meta))
            return 400, {}, json.dumps({"error": {"message": "messages required"}}).encode()
        with self._state.lock:
            self._state.arrived += 1
            self._state.active += 1
            self._state.peak_active = max(self._state.peak_active, self._state.active)
        try:
            if self._slot_sem is None:
                return self._handle_chat(body, authorization, meta)
            with self._slot_sem:
                return self._handle_chat(body, authorization, meta)
        finally:
            with self._state.lock:
                self._state.active -= 1

    def _handle_chat(self, body: dict, authorization: str | None, meta: dict) -> tuple[int, dict[str, str], bytes]:
        content = last_user_content(body["messages"])
        with self._state.lock:
            self._state.counts[content] += 1
            nth = self._state.counts[content]
        outcome = self.decide(content, nth)
        with self._state.lock:
            self._state.records.append(RequestRecord(content, authorization, body, outcome, **meta))
        if outcome == "429":
            return 429, {"Retry-After": f"{self.retry_after_s:g}"}, b'{"error":{"message":"rate limited"}}'
        if outcome in ("500", "always_fail"):
            message = "internal error" + (f": {self.error_detail}" if self.error_detail else "")
            return 500, {}, json.dumps({"error": {"message": message}}, ensure_ascii=False).encode("utf-8")
        if outcome == "timeout":
            time.sleep(self.slow_s)
        if outcome == "malformed":
            return 200, {}, b'{"choices": [{"message": {"content": "trunc'
        if self.service_s:
            time.sleep(self.service_s)
        text = self.reply_fn(body["messages"])
        seen = [m for m in body["messages"] if not (self.drop_system and m.get("role") == "system")]
        prompt_text = "".join(str(m.get("content", "")) for m in seen)
        reply = {
            "id": "chatcmpl-" + hashlib.sha1(content.encode("utf-8")).hexdigest()[:12],
            "object": "chat.completion",
            "created": 0,
            "model": self.reported_model or body.get("model", self.model),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": max(1, len(prompt_text) // 4), "completion_tokens": max(1, len(text) // 4),
                      "total_tokens": max(1, len(prompt_text) // 4) + max(1, len(text) // 4)},
        }
        return 200, {}, json.dumps(reply, ensure_ascii=False).encode("utf-8")


    def moderate(self, text: str) -> dict:
        """One OpenAI moderation result for ``text``: 0.9 in the categories of the configured words it contains."""
        hit = {cat for word, cat in self.moderation_words.items() if word in text}
        scores = {cat: (0.9 if cat in hit else 0.01) for cat in MODERATION_CATEGORIES}
        return {"flagged": bool(hit), "categories": {cat: cat in hit for cat in MODERATION_CATEGORIES},
                "category_scores": scores}

    def _handle_moderations(self, body: dict | None, authorization: str | None) -> tuple[int, dict[str, str], bytes]:
        inputs = body.get("input") if isinstance(body, dict) else None
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs or not all(isinstance(t, str) for t in inputs):
            with self._state.lock:
                self._state.records.append(RequestRecord("", authorization, body, "bad_request"))
            return 400, {}, json.dumps({"error": {"message": "input required"}}).encode()
        content = "\n".join(inputs)
        with self._state.lock:
            self._state.counts[content] += 1
            nth = self._state.counts[content]
        outcome = self.decide(content, nth)
        with self._state.lock:
            self._state.records.append(RequestRecord(content, authorization, body, outcome))
        if outcome == "429":
            return 429, {"Retry-After": f"{self.retry_after_s:g}"}, b'{"error":{"message":"rate limited"}}'
        if outcome in ("500", "always_fail"):
            return 500, {}, b'{"error":{"message":"internal error"}}'
        if outcome == "timeout":
            time.sleep(self.slow_s)
        if outcome == "malformed":
            return 200, {}, b'{"results": [{"flagged": tru'
        reply = {"id": "modr-" + hashlib.sha1(content.encode("utf-8")).hexdigest()[:12],
                 "model": body.get("model", self.model), "results": [self.moderate(t) for t in inputs]}
        return 200, {}, json.dumps(reply, ensure_ascii=False).encode("utf-8")


_AZURE_CHAT = re.compile(r"/openai/deployments/[^/]+/chat/completions")


class _QuietHTTPServer(ThreadingHTTPServer):
    """A client that timed out and hung up is expected here: no traceback on stderr for a reset connection."""

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def _make_handler(server: OpenAIServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output clean (and headers out of stderr)
            pass

        def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and hung up: that is the point of a 'timeout' injection

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/")
            chat = path == "/v1/chat/completions" or bool(_AZURE_CHAT.fullmatch(path))
            if not chat and path != "/v1/moderations":
                self._send(404, {}, b'{"error":{"message":"not found"}}')
                return
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            if chat:
                meta = {"path": path, "query": {k: v[-1] for k, v in parse_qs(parts.query).items()},
                        "headers": dict(self.headers.items())}
                status, headers, payload = server._handle(body, self.headers.get("Authorization"), meta)
            else:
                status, headers, payload = server._handle_moderations(body, self.headers.get("Authorization"))
            self._send(status, headers, payload)

        def do_GET(self) -> None:  # noqa: N802
            if self.path.rstrip("/").endswith("/models"):
                payload = json.dumps({"object": "list", "data": [{"id": server.model, "object": "model"}]}).encode()
                self._send(200, {}, payload)
            else:
                self._send(404, {}, b'{"error":{"message":"not found"}}')

    return Handler
