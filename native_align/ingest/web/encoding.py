"""HTML bytes -> text: BOM, then the HTTP charset, then ``<meta>``, then detection, each decoding checked.

A declared charset is often wrong on the Arabic web (a template moved to UTF-8 while the server still says
windows-1256, or the reverse), and a wrong single-byte charset decodes *without errors* into mojibake. So every
candidate must decode strictly and then pass :func:`garbage_reason`; the first that does wins. When none does, the
page is undecodable and gets a reason: never mojibake into the corpus.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Callable

UNDECODABLE = "undecodable"

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Labels browsers treat as another charset than Python would (WHATWG Encoding Standard), plus Arabic aliases
# Python does not know. Latin-1 labels mean windows-1252 on the web.
_LABELS = {
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252", "ascii": "cp1252",
    "us-ascii": "cp1252", "iso_8859-1": "cp1252", "windows-1252": "cp1252", "x-cp1252": "cp1252",
    "x-cp1256": "cp1256", "windows-1256": "cp1256", "cp1256": "cp1256",
    "iso-8859-6": "iso8859-6", "iso_8859-6": "iso8859-6", "iso8859-6": "iso8859-6", "arabic": "iso8859-6",
    "asmo-708": "iso8859-6", "ecma-114": "iso8859-6", "iso-ir-127": "iso8859-6", "csisolatinarabic": "iso8859-6",
    "iso-8859-6-i": "iso8859-6", "iso-8859-6-e": "iso8859-6",
    "utf-16": "utf-16-le", "unicode": "utf-16-le",
}
_META = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)|<\?xml[^>]*?encoding\s*=\s*["']"""
                   rb"""([A-Za-z0-9._:\-]+)""", re.I)
# What a wrong decoding leaves behind.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_SOUP = re.compile("[\u00c0-\u00ff]{3,}")                 # windows-1256 Arabic read as Latin: "ÇáÚÑÈíÉ"
_MIXED = re.compile("[\u0621-\u064a][\u00c0-\u00ff]|[\u00c0-\u00ff][\u0621-\u064a]")  # ISO-8859-6 read as 1256
_UTF8_AS_LATIN = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                            "\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")  # "Ø§Ù„" and friends
_NON_ASCII_WORD = re.compile(r"[^\W\d_]*[^\x00-\x7f\W\d_][^\W\d_]*")
_HAS_NON_ASCII = re.compile(rb"[\x80-\xff]")
_NON_ASCII_CHAR = re.compile("[^\x00-\x7f]")


@dataclass
class Decoded:
    """The text (None when undecodable), the Python codec used, and where the charset came from."""

    text: str | None
    charset: str | None
    source: str | None      # bom | http | meta | detected | fallback | ascii | utf-8-repaired
    reason: str | None = None
    error: str | None = None


def normalize_label(label: str | None) -> str | None:
    """A charset label as written by a server -> a Python codec name, or None if unknown."""
    if not label:
        return None
    key = label.strip().strip("'\"").lower()
    if key in _LABELS:
        return _LABELS[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def meta_charset(data: bytes, scan_bytes: int = 1024) -> str | None:
    """The charset named by ``<meta charset>``, ``<meta http-equiv ... charset=>`` or an XML declaration."""
    m = _META.search(data[:scan_bytes])
    if not m:
        return None
    return (m.group(1) or m.group(2)).decode("ascii", "replace")


def garbage_reason(text: str, codec: str, data: bytes, max_control: float = 0.005) -> str | None:
    """Why a strict decoding is still wrong (mojibake, binary), or None when it looks like real text."""
    sample = text[:200_000]
    n = max(1, len(sample))
    bad = len(_CONTROL.findall(sample))
    if bad / n > max_control:
        return f"{bad} control/replacement/private-use characters in {n} ({codec})"
    if not codec.startswith("utf") and utf8_damage(data) is not None:
        return f"the bytes are UTF-8, not {codec}"
    soup, mixed, latin = (len(rx.findall(sample)) for rx in (_SOUP, _MIXED, _UTF8_AS_LATIN))
    if soup >= 5 or mixed >= 3 or latin >= 5:  # only then count words: most pages stop here
        words = max(1, len(_NON_ASCII_WORD.findall(sample)))
        if soup >= 5 and soup / words > 0.3:
            return f"{soup} of {words} non-ASCII words are runs of accented Latin letters: Arabic read as {codec}"
        if mixed >= 3 and mixed / words > 0.05:
            return f"{mixed} Arabic letters touch Latin accented letters: wrong Arabic code page ({codec})"
        if latin >= 5 and latin / words > 0.3:
            return f"{latin} UTF-8 sequences read as single bytes ({codec})"
    if "<" not in sample[:4096]:
        return f"no markup in the first 4096 characters ({codec})"
    return None


def utf8_damage(data: bytes, max_bad: float = 0.01) -> int | None:
    """How many invalid sequences the bytes have as UTF-8 (0 = valid), or None when they are not UTF-8 at all
    (no multi-byte character, or more than ``max_bad`` of the non-ASCII characters invalid). Legacy Arabic text
    is never nearly valid UTF-8: its letters are bytes >= 0xC1 in a row, which UTF-8 forbids."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = len(_NON_ASCII_CHAR.findall(text)) - bad
    if good <= 0 or bad > max_bad * (good + bad):
        return None
    return bad


def _try(data: bytes, codec: str, source: str, tried: list[str]) -> Decoded | None:
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError) as exc:
        tried.append(f"{source} {codec}: {str(exc)[:80]}")
        return None
    why = garbage_reason(text, codec, data)
    if why:
        tried.append(f"{source} {codec}: {why}")
        return None
    return Decoded(text, codec, source)


def decode_html(data: bytes, http_charset: str | None = None, *, detector: Callable[[bytes], str | None] | None
                = None, fallbacks: tuple[str, ...] = ("utf-8", "cp1256", "iso8859-6"), meta_scan_bytes: int = 1024
                ) -> Decoded:
    """Decode one HTML payload; ``detector`` maps bytes to a charset label (see :func:`make_detector`)."""
    tried: list[str] = []
    for bom, codec in _BOMS:
        if data.startswith(bom):
            got = _try(data[len(bom):], codec, "bom", tried)
            if got:
                return got
            break
    if not _HAS_NON_ASCII.search(data):
        return Decoded(data.decode("ascii"), "ascii", "ascii")
    seen: set[str] = set()
    declared = [("http", http_charset), ("meta", meta_charset(data, meta_scan_bytes))]
    for source, label in declared:
        codec = normalize_label(label)
        if label and codec is None:
            tried.append(f"{source} {label!r}: unknown charset")
        if codec and codec not in seen:
            seen.add(codec)
            got = _try(data, codec, source, tried)
            if got:
                return got
    if detector is not None:
        codec = normalize_label(detector(data))
        if codec and codec not in seen:
            seen.add(codec)
            got = _try(data, codec, "detected", tried)
            if got:
                return got
    for codec in fallbacks:
        if codec not in seen:
            seen.add(codec)
            got = _try(data, codec, "fallback", tried)
            if got:
                return got
    damage = utf8_damage(data)
    if damage:  # UTF-8 with a few broken sequences (a stray byte, a character cut at a crawler's size limit)
        text = data.decode("utf-8", "replace")
        if not garbage_reason(text, "utf-8", data):
            return Decoded(text, "utf-8", "utf-8-repaired", error=f"{damage} invalid UTF-8 sequences replaced")
    return Decoded(None, None, None, UNDECODABLE, "; ".join(tried)[:1000] or "no candidate charset")


def make_detector(name: str) -> Callable[[bytes], str | None] | None:
    """``cchardet`` | ``charset-normalizer`` | ``none`` -> a function bytes -> charset label (or None)."""
    if name == "none":
        return None
    if name == "cchardet":
        import cchardet

        return lambda data: cchardet.detect(data[:65536]).get("encoding")
    if name == "charset-normalizer":
        from charset_normalizer import from_bytes

        def detect(data: bytes) -> str | None:
            best = from_bytes(data[:65536]).best()
            return best.encoding if best else None

        return detect
    raise ValueError(f"unknown charset detector {name!r}")
