"""Normalization of Arabic text for *matching* (signatures, hashes), never for what we publish.

The original text is always kept; this view folds spelling variants that carry no meaning for deduplication:
NFKC, tatweel (U+0640) and harakat removed, أ/إ/آ/ٱ→ا, ى→ي, ة→ه, Arabic-Indic digits → ASCII, whitespace collapsed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

TATWEEL = "\u0640"
# Harakat and Quranic marks: U+064B..U+065F, superscript alef U+0670, U+06D6..U+06ED.
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    TATWEEL: None,
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian) digits
})
_SPACES = re.compile(r"\s+")
# Words: runs of letters/digits in any script. Python's \w does not match harakat (combining marks), so they are
# added explicitly: a voweled word stays one word.
_WORD = re.compile(r"[\w\u064b-\u065f\u0670]+", re.UNICODE)


def strip_diacritics(text: str) -> str:
    return _DIACRITICS.sub("", text.replace(TATWEEL, ""))


def normalize_for_matching(text: str) -> str:
    """The folded view used for content hashes and MinHash signatures."""
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text)
    text = text.translate(_FOLD).lower()
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """Word tokens (letters and digits), script-agnostic."""
    return _WORD.findall(text)


def content_hash(text: str) -> str:
    """Hex SHA-1 of the normalized view: equal for texts that differ only in folded variants."""
    return hashlib.sha1(normalize_for_matching(text).encode("utf-8")).hexdigest()
