"""E-mail addresses: ASCII local part @ domain with a 2+ letter top-level label (RFC 5322 addr-spec, restricted to
what appears in running text), plus the obfuscated "name [at] domain [dot] com" spelling. Both need an ``@`` or
an "at" in brackets, so the patterns only run on texts that hold one.
"""

from __future__ import annotations

import re

EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)
_AT = r"\s*[\[(]\s*at\s*[\])]\s*"
_DOT = r"(?:\s*[\[(]\s*dot\s*[\])]\s*|\.)"
OBFUSCATED = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z0-9_\-]+(?:{_DOT}[A-Za-z0-9_\-]+)*{_AT}[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*"
    rf"{_DOT}[A-Za-z]{{2,24}}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_AT_HINT = re.compile(r"[\[(]\s*at\s*[\])]", re.IGNORECASE)


def _obfuscation_hint(text: str) -> bool:
    return ("[" in text or "(" in text) and _AT_HINT.search(text) is not None


def hinted(text: str) -> bool:
    """Cheap pre-check: can ``text`` hold an address at all?"""
    return "@" in text or _obfuscation_hint(text)


def find(text: str) -> list[tuple[int, int]]:
    out = [m.span() for m in EMAIL.finditer(text)] if "@" in text else []
    if _obfuscation_hint(text):
        out += [m.span() for m in OBFUSCATED.finditer(text)]
    return out
