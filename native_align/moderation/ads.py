"""Ad phrases (calls to action, promotional formulas) found in a text, with their spans.

Why a phrase list: an ad line is recognised by its formula ("احجز الآن", "التوصيل مجاني"), and a list is
transparent and reviewable; every phrase was checked against clean news (``resources/moderation/ads_ar.tsv``
header). Matching is the lexicon's: normalized tokens (``moderation.text``), one proclitic stripped from the first
word ("واطلب الآن"), no suffix stripping (forms are listed).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from native_align.moderation.lexicon import RESOURCES, stem_forms
from native_align.moderation.text import batch_tokens, match_tokens, raw_tokens

DEFAULT_ADS = RESOURCES / "ads_ar.tsv"
AD_KINDS = ("cta", "promo", "service")


@dataclass(frozen=True)
class AdHit:
    """``text[start:end]`` matched ``phrase`` (its normalized tokens joined by a space: the identity of the hit)."""

    start: int
    end: int
    text: str
    phrase: str
    kind: str


@dataclass(frozen=True)
class AdPhrases:
    """Normalized phrases (token tuples) -> kind; ``by_first`` indexes them by first token, longest first;
    ``forms`` maps a token to the first tokens it can stand for."""

    phrases: Mapping[tuple[str, ...], str]
    by_first: Mapping[str, tuple[tuple[str, ...], ...]]
    source: str = ""
    forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_phrases(cls, rows: Iterable[str | tuple[str, str]], source: str = "") -> AdPhrases:
        """Phrases as strings (kind ``cta``) or (phrase, kind) pairs."""
        phrases: dict[tuple[str, ...], str] = {}
        for row in rows:
            text, kind = (row, "cta") if isinstance(row, str) else row
            if kind not in AD_KINDS:
                raise ValueError(f"ad phrase {text!r}: unknown kind {kind!r}; known: {AD_KINDS}")
            toks = tuple(match_tokens(text))
            if toks:
                phrases.setdefault(toks, kind)
        first: dict[str, list[tuple[str, ...]]] = {}
        for toks in phrases:
            first.setdefault(toks[0], []).append(toks)
        index = {k: tuple(sorted(v, key=lambda p: (-len(p), p))) for k, v in first.items()}
        return cls(phrases, index, source, stem_forms(index))

    @classmethod
    def load(cls, path: str | Path | None = None) -> AdPhrases:
        """A ``.tsv`` with columns phrase, kind, note (``#`` lines are comments); None = the packaged list."""
        path = Path(path) if path else DEFAULT_ADS
        if not path.is_file():
            raise FileNotFoundError(f"ad phrase list not found at {path}")
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
        rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        if not {"phrase", "kind"} <= set(rows.fieldnames or ()):
            raise ValueError(f"{path}: need columns phrase, kind, note")
        return cls.from_phrases([(r["phrase"].strip(), r["kind"].strip()) for r in rows], source=str(path))

    def __len__(self) -> int:
        return len(self.phrases)

    def _match(self, toks: Sequence[str]) -> list[tuple[int, int, tuple[str, ...]]]:
        """(first token, end token, phrase) of each non-overlapping match, left to right."""
        out, i = [], 0
        while i < len(toks):
            found = None
            for stem in self.forms.get(toks[i], ()):
                for phrase in self.by_first.get(stem, ()):
                    end = i + len(phrase)
                    if end <= len(toks) and tuple(toks[i + 1:end]) == phrase[1:]:
                        found = (i, end, phrase)
                        break
                if found:
                    break
            if found:
                out.append(found)
                i = found[1]
            else:
                i += 1
        return out

    def find(self, texts: Sequence[str | None]) -> list[list[AdHit]]:
        """Hits per text. The fast batch tokens decide whether a text has a hit at all; only then are the per-word
        tokens (which carry character offsets) matched again for the spans."""
        out: list[list[AdHit]] = []
        for text, toks in zip(texts, batch_tokens(texts)):
            if not text or not any(t in self.forms for t in toks) or not self._match(toks):
                out.append([])
                continue
            raw = raw_tokens(text)
            hits = []
            for a, b, phrase in self._match([t for t, _, _ in raw]):
                start, end = raw[a][1], raw[b - 1][2]
                hits.append(AdHit(start, end, text[start:end], " ".join(phrase), self.phrases[phrase]))
            out.append(hits)
        return out


@lru_cache(maxsize=4)
def load_ads(path: str | None = None) -> AdPhrases:
    """The phrase list at ``path`` (None: packaged), read once per process."""
    return AdPhrases.load(path)
