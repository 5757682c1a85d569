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

Every request is logged: content key -> count, the Authorization headers received (so a test can assert the key
was *sent*), and the raw bodies. Usage::

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

FAILURE_KINDS = ("429", "500", "timeout", "malformed")

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


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: Counter = field(default_factory=Counter)
    records: list[RequestRecord] = field(default_factory=list)


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

    def start(self) -> "OpenAIServer":
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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
    def _handle(self, body: dict | None, authorization: str | None) -> tuple[int, dict[str, str], bytes]:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            with self._state.lock:
                self._state.records.append(RequestRecord("", authorization, body, "bad_request"))
            return 400, {}, json.dumps({"error": {"message": "messages required"}}).encode()
        content = last_user_content(body["messages"])
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
            return 200, {}, b'{"choices": [{"message": {"content": "trunc'
        text = self.reply_fn(body["messages"])
        prompt_text = "".join(str(m.get("content", "")) for m in body["messages"])
        reply = {
            "id": "chatcmpl-" + hashlib.sha1(content.encode("utf-8")).hexdigest()[:12],
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", self.model),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": max(1, len(prompt_text) // 4), "completion_tokens": max(1, len(text) // 4),
                      "total_tokens": max(1, len(prompt_text) // 4) + max(1, len(text) // 4)},
        }
        return 200, {}, json.dumps(reply, ensure_ascii=False).encode("utf-8")


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
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {}, b'{"error":{"message":"not found"}}')
                return
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                body = None
            status, headers, payload = server._handle(body, self.headers.get("Authorization"))
            self._send(status, headers, payload)

        def do_GET(self) -> None:  # noqa: N802
            if self.path.rstrip("/").endswith("/models"):
                payload = json.dumps({"object": "list", "data": [{"id": server.model, "object": "model"}]}).encode()
                self._send(200, {}, payload)
            else:
                self._send(404, {}, b'{"error":{"message":"not found"}}')

    return Handler
