"""All detectors over one text: fold digits once, run each kind's cheap pre-check and pattern, resolve overlaps.

Overlaps are resolved by kind priority (``kinds.KINDS``: email, iban, ip, national_id, credit_card, phone), then
by length: a span is kept only if it overlaps no span kept before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from native_align.pii import context
from native_align.pii.detectors import email, iban, ip, numeric
from native_align.pii.kinds import KINDS
from native_align.pii.text import fold_digits, url_spans

_PRIORITY = {k: i for i, k in enumerate(KINDS)}
_HAS_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
_IBAN_HINT = re.compile(r"[A-Za-z]{2}[0-9\u0660-\u0669\u06f0-\u06f9]{2}")


class Span(NamedTuple):
    """One detection: its kind, [start, end) offsets in the original text, and the original characters."""

    kind: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class DetectOptions:
    """Detector knobs (``PiiConfig`` fields of the same names; defaults and reasons there)."""

    kinds: frozenset[str] = frozenset(KINDS)
    context_window: int = 40
    national_id_requires_context: bool = False
    phone_generic_international: bool = True
    keep_service_numbers: bool = True


DEFAULT_OPTIONS = DetectOptions()


_CODE_BEFORE = re.compile(r"(?:\+|\b00)\s?\(?[0-9]{1,3}\)?[\s\u00a0]*$")
_DOTTED_PAIRS = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{2}")


def _phone_not_ip(text: str, start: int, end: int, window: int) -> bool:
    """Is the dotted quad at ``start`` a phone: right after a country code, or written in pairs (Maghrebi style,
    "71.43.81.20") after a phone word naming it?"""
    return (_CODE_BEFORE.search(text, max(0, start - 8), start) is not None
            or (_DOTTED_PAIRS.fullmatch(text, start, end) is not None
                and context.before(text, start, window) == ("phone", True)))


def _raw(text: str, opts: DetectOptions) -> list[tuple[str, int, int]]:
    kinds = opts.kinds
    has_at = "email" in kinds and email.hinted(text)
    has_digit = _HAS_DIGIT.search(text) is not None
    if not has_digit and not has_at:
        return []
    folded = fold_digits(text) if has_digit else text
    found: list[tuple[str, int, int]] = []
    if "email" in kinds and has_at:
        found += [("email", s, e) for s, e in email.find(folded)]
    if not has_digit:
        return found
    skip = [(s, e) for _, s, e in found] + url_spans(folded)
    if _IBAN_HINT.search(folded):
        valid, shaped = iban.find(folded)
        if "iban" in kinds:
            found += [("iban", s, e) for s, e in valid]
        skip += valid + shaped
    if "." in folded or ":" in folded:
        # "رقم الجوال 71.43.81.20", "+966 148.58.28.60": a dotted phone after a phone word or a country code.
        ips = [(s, e) for s, e in ip.find(folded)
               if ":" in folded[s:e] or not _phone_not_ip(folded, s, e, opts.context_window)]
        if "ip" in kinds:
            found += [("ip", s, e) for s, e in ips]
        skip += ips
    if kinds & {"phone", "credit_card", "national_id"}:
        hits = numeric.find(folded, skip, opts.context_window, opts.national_id_requires_context,
                            opts.phone_generic_international, opts.keep_service_numbers)
        found += [h for h in hits if h[0] in kinds]
    return found


def detect(text: str, opts: DetectOptions = DEFAULT_OPTIONS) -> list[Span]:
    """Non-overlapping detections in ``text``, sorted by start offset."""
    if not text:
        return []
    found = _raw(text, opts)
    if not found:
        return []
    found.sort(key=lambda h: (_PRIORITY[h[0]], h[1] - h[2], h[1]))
    kept: list[tuple[str, int, int]] = []
    for kind, s, e in found:
        if all(e <= ks or ke <= s for _, ks, ke in kept):
            kept.append((kind, s, e))
    kept.sort(key=lambda h: h[1])
    return [Span(k, s, e, text[s:e]) for k, s, e in kept]
