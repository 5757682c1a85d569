"""What goes over the wire, as pure functions: token estimates, Retry-After, folded system turns, error excerpts.

Kept apart from the client so that each is testable without a server and the client file stays about the loop.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from typing import Any, Callable, Mapping, Sequence

EXCERPT_CHARS = 1000  # error excerpts: long enough for a server's whole message, short enough for a table cell


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


def fold_system(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """System messages prepended (blank line between) to the first user turn, for templates without a system
    role; with no user turn the system text becomes one."""
    system = [str(m.get("content", "")) for m in messages if m.get("role") == "system"]
    rest = [dict(m) for m in messages if m.get("role") != "system"]
    if not system:
        return rest
    text = "\n\n".join(system)
    for m in rest:
        if m.get("role") == "user":
            m["content"] = f"{text}\n\n{m.get('content', '')}"
            return rest
    return [{"role": "user", "content": text}] + rest


def error_excerpt(raw: bytes, redact: Callable[[str], str], limit: int = EXCERPT_CHARS) -> str:
    """A server's error body made readable: its JSON ``error.message`` when there is one, whitespace collapsed,
    the key redacted (before cutting, so no half key survives), at most ``limit`` characters."""
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
        err = data.get("error", data.get("detail", data.get("message"))) if isinstance(data, dict) else None
        if isinstance(err, dict):
            err = err.get("message") or json.dumps(err, ensure_ascii=False)
        if isinstance(err, str) and err.strip():
            text = err
    except ValueError:
        pass
    text = re.sub(r"\s+", " ", redact(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
