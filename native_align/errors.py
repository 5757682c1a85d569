"""One readable sentence for an exception from Spark, py4j or Python: the real cause, never a py4j object id.

A Spark read that fails surfaces in Python as ``An error occurred while calling o2440.parquet.`` followed by a Java
stack trace, or as a ``SparkException`` whose own message only says a task failed; the cause that matters (an
``EOFException`` of a truncated gzip stream, a Parquet footer that is not one) is the innermost Java cause. This
module walks the cause chain and phrases that one.
"""

from __future__ import annotations

import re

_PY4J_CALL = re.compile(r"An error occurred while calling [\w$]+\.[\w$]+\.?\s*")
_JAVA_PREFIX = re.compile(r"^(?:[a-z_$][\w$]*\.)+([A-Z][\w$]*(?:Exception|Error))\s*:\s*")
_MAX = 400


def _java_root(throwable) -> tuple[str, str] | None:
    """(simple class name, message) of the innermost cause of a py4j JavaObject throwable."""
    try:
        seen = 0
        while throwable.getCause() is not None and seen < 20:
            throwable = throwable.getCause()
            seen += 1
        return str(throwable.getClass().getSimpleName()), str(throwable.getMessage() or "")
    except Exception:  # noqa: BLE001 - the JVM may be gone (a dying session): fall back to the Python text
        return None


def _java_throwable(exc: BaseException):
    for attr in ("java_exception", "_origin"):  # Py4JJavaError, pyspark's CapturedException
        value = getattr(exc, attr, None)
        if value is not None:
            return value
    return None


def _clean(text: str) -> str:
    text = _PY4J_CALL.sub("", text).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("at ")]
    first = lines[0] if lines else ""
    first = first.lstrip(": ").strip()
    return first


def root_cause(exc: BaseException) -> tuple[str, str]:
    """(exception class name, message) of the innermost cause: Java causes first, then Python's ``__cause__``."""
    inner = exc
    for _ in range(20):
        nxt = inner.__cause__ or (inner.__context__ if not inner.__suppress_context__ else None)
        if nxt is None:
            break
        inner = nxt
    for candidate in (inner, exc):
        throwable = _java_throwable(candidate)
        if throwable is not None:
            found = _java_root(throwable)
            if found and (found[1] or found[0]):
                return found[0], _clean(found[1]) or found[1]
    text = _clean(str(inner))
    m = _JAVA_PREFIX.match(text)
    if m:
        return m.group(1), text[m.end():]
    return type(inner).__name__, text


def describe(exc: BaseException) -> str:
    """``ClassName: message`` of the real cause, one line, at most a few hundred characters."""
    name, message = root_cause(exc)
    out = f"{name}: {message}" if message else name
    return out if len(out) <= _MAX else out[:_MAX - 3] + "..."
