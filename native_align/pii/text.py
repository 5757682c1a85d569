"""Text views shared by the detectors.

Detectors run on a *digit-folded* copy of the text: Arabic-Indic (U+0660..0669) and Extended Arabic-Indic
(U+06F0..06F9) digits become ASCII. Every digit maps to exactly one character, so offsets in the folded text are
offsets in the original text and spans need no remapping.
"""

from __future__ import annotations

import re

_FOLD = {**{0x0660 + d: 0x30 + d for d in range(10)}, **{0x06F0 + d: 0x30 + d for d in range(10)}}
_NON_ASCII_DIGIT = re.compile("[\u0660-\u0669\u06f0-\u06f9]")

# Characters allowed between the digit groups of one number (a regex character class body): space, NBSP, tab,
# ASCII and Unicode hyphens, parentheses, and the invisible bidi marks that RTL editors insert around LTR numbers
# (LRM, RLM, embeddings, isolates). A dot is allowed too, but only alone ("050.123.4567"; ". " ends a sentence).
# Slash, comma, colon and the Arabic decimal/thousands separators are *not* separators: they build dates, times
# and amounts, never phone or card groups.
SEPARATORS = " \u00a0\t\\-()\u200e\u200f\u202a-\u202e\u2066-\u2069\u2010-\u2013"

# Web addresses: numbers inside them are article ids and query strings, not personal data.
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)


def fold_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Extended digits as ASCII; the same object when there are none (cheap)."""
    if _NON_ASCII_DIGIT.search(text) is None:
        return text
    return text.translate(_FOLD)


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every web address; empty without a scheme or ``www.`` (cheap substring pre-check)."""
    if "://" not in text and "www." not in text and "WWW." not in text:
        return []
    return [m.span() for m in URL.finditer(text)]
