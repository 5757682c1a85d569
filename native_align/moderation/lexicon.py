"""Lexicon moderation: reviewed Arabic terms per category, matched on the normalized text with proclitics.

Why a lexicon at all next to a classifier: it is transparent (every flag names its term and span), costs nothing
on millions of documents, scores all four categories (the classifier only learned what MLMA labels), and gives
the same answer before and after a rewrite. Its limits are its list: no context, no sarcasm, misses what it does
not list; the terms were reviewed so that clean news is not flagged (docs/moderation.md, "Lexicon review").

Matching folds spelling variants: text and terms go through ``normalize_for_matching`` (NFKC, harakat and tatweel
removed, alef/ya/ta-marbuta folded), a letter written three or more times in a row counts once ("حقيييير"), a word
also matches after stripping one common proclitic (و ف ب ل ك ال and combinations) when at least three letters
remain ("والكلب" hits "كلب", a two-letter term is never found inside a longer word), and a vocative phrase
"يا X" also matches its fused spelling "ياX". Suffixes (plurals, pronouns) are not stripped: forms are listed.

:class:`Lexicon` keeps the interface of ``native_align.report.toxicity.Lexicon`` (``from_terms``, ``load``,
``hits``, ``word_count``, ``words``/``phrases``/``symbols``, ``len``) so the report can switch to it unchanged.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from native_align.moderation.base import CATEGORIES, TARGETS, ModerationResult, ModerationScorer, Span
from native_align.moderation.text import batch_tokens, match_tokens, raw_tokens
from native_align.text.normalize import normalize_for_matching, words

RESOURCES = Path(__file__).resolve().parent.parent / "resources" / "moderation"
DEFAULT_LEXICON = RESOURCES / "lexicon_ar.tsv"
# Longest first: "وال" must be tried before "و". The report's list plus فبال, وكال, فكال ("فبالكلب").
PROCLITICS: tuple[str, ...] = ("وبال", "فبال", "وكال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال",
                               "و", "ف", "ب", "ل", "ك")
MIN_STEM = 3
VOCATIVE = "يا"


def stems(token: str) -> list[str]:
    """The token, then the token without each proclitic it starts with (at least ``MIN_STEM`` letters left)."""
    out = [token]
    for clitic in PROCLITICS:
        if token.startswith(clitic) and len(token) - len(clitic) >= MIN_STEM:
            out.append(token[len(clitic):])
    return out


def stem_forms(keys: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Every spelling of each key with or without a proclitic -> the keys it can stand for, in :func:`stems`
    order (the bare token first, then longest proclitic first): matching a token becomes one dict lookup."""
    ranked: dict[str, list[tuple[int, str]]] = {}
    for key in keys:
        ranked.setdefault(key, []).append((0, key))
        if len(key) >= MIN_STEM:
            for rank, clitic in enumerate(PROCLITICS, 1):
                ranked.setdefault(clitic + key, []).append((rank, key))
    return {form: tuple(k for _, k in sorted(found)) for form, found in ranked.items()}


@dataclass(frozen=True)
class Term:
    """One reviewed lexicon line: the term as written, its category, the group kind for insult_group, a note."""

    term: str
    category: str = "profanity"
    target: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"term {self.term!r}: unknown category {self.category!r}; known: {CATEGORIES}")
        if self.target and self.target not in TARGETS:
            raise ValueError(f"term {self.term!r}: unknown target {self.target!r}; known: {TARGETS}")


@dataclass(frozen=True)
class Match:
    """Tokens ``[start, end)`` of the token list matched ``term``."""

    start: int
    end: int
    term: Term


@dataclass(frozen=True)
class Lexicon:
    """Normalized terms: single words, multi-word phrases, and non-word symbols (emoji) matched as substrings."""

    word_terms: Mapping[str, Term]
    phrase_terms: Mapping[tuple[str, ...], Term]
    symbol_terms: Mapping[str, Term]
    source: str = ""
    # first word -> phrases starting with it, longest first (a token is looked up, not compared to every phrase)
    _by_first: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, repr=False, compare=False)
    # token -> the phrase first words and single-word terms it can be (see stem_forms); empty: compute stems
    _forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_terms(cls, terms: Iterable[str | Term], source: str = "") -> "Lexicon":
        """Terms as strings (category ``profanity``; ``#`` comments and blanks skipped) or :class:`Term` s."""
        single: dict[str, Term] = {}
        multi: dict[tuple[str, ...], Term] = {}
        symbols: dict[str, Term] = {}
        for raw in terms:
            term = raw if isinstance(raw, Term) else Term(raw.strip())
            text = term.term.strip()
            if not text or text.startswith("#"):
                continue
            toks = match_tokens(text)
            if not toks:
                symbols.setdefault(text, term)
            elif len(toks) == 1:
                single.setdefault(toks[0], term)
            else:
                multi.setdefault(tuple(toks), term)
                if len(toks) == 2 and toks[0] == VOCATIVE:  # "يا كلب" is also written "ياكلب"
                    single.setdefault(VOCATIVE + toks[1], term)
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in multi:
            by_first.setdefault(phrase[0], []).append(phrase)
        index = {k: tuple(sorted(v, key=lambda p: (-len(p), p))) for k, v in by_first.items()}
        return cls(single, multi, symbols, source, index, stem_forms(set(single) | set(index)))

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Lexicon":
        """A ``.tsv`` with columns term, category, target, note (``#`` lines are comments), or any other file
        with one term a line (all ``profanity``); None = our packaged, reviewed lexicon."""
        path = Path(path) if path else DEFAULT_LEXICON
        if not path.is_file():
            raise FileNotFoundError(f"moderation lexicon not found at {path}")
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() != ".tsv":
            return cls.from_terms(text.splitlines(), source=str(path))
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"term", "category"} - set(rows.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)} (need term, category, target, note)")
        terms = [Term(r["term"].strip(), r["category"].strip(), (r.get("target") or "").strip(),
                      (r.get("note") or "").strip()) for r in rows]
        return cls.from_terms(terms, source=str(path))

    # -- the report's interface ---------------------------------------------------------------------------------
    @property
    def words(self) -> frozenset[str]:
        return frozenset(self.word_terms)

    @property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        return tuple(sorted(self.phrase_terms, key=lambda p: (-len(p), p)))

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(sorted(self.symbol_terms))

    def __len__(self) -> int:
        return len(self.word_terms) + len(self.phrase_terms) + len(self.symbol_terms)

    def hits(self, text: str | None) -> int:
        """Non-overlapping matches in ``text`` (phrases before single words, longest first) plus symbols."""
        if not text:
            return 0
        return len(self.match(match_tokens(text))) + self.symbol_hits(text)

    def word_count(self, text: str | None) -> int:
        """Words as the matcher sees them (the denominator of hits per 1k words)."""
        return len(words(normalize_for_matching(text))) if text else 0

    # -- matching -----------------------------------------------------------------------------------------------
    def match(self, toks: Sequence[str]) -> list[Match]:
        """Matches over matcher tokens (see :func:`match_tokens`), left to right, never overlapping."""
        out: list[Match] = []
        i, n = 0, len(toks)
        while i < n:
            found = self._match_at(toks, i)
            if found is None:
                i += 1
            else:
                out.append(found)
                i = found.end
        return out

    def _match_at(self, toks: Sequence[str], i: int) -> Match | None:
        candidates = self._forms.get(toks[i], ()) if self._forms else stems(toks[i])
        if self._by_first:
            for stem in candidates:
                for phrase in self._by_first.get(stem, ()):
                    end = i + len(phrase)
                    if end <= len(toks) and tuple(toks[i + 1:end]) == phrase[1:]:
                        return Match(i, end, self.phrase_terms[phrase])
        for stem in candidates:
            term = self.word_terms.get(stem)
            if term is not None:
                return Match(i, i + 1, term)
        return None

    def symbol_hits(self, text: str) -> int:
        return sum(text.count(sym) for sym in self.symbol_terms)

    def spans(self, text: str) -> list[Span]:
        """Every match as a span of the original text (character offsets), in order."""
        if not text:
            return []
        raw = raw_tokens(text)
        toks = [t for t, _, _ in raw]
        offsets = [(s, e) for _, s, e in raw]
        out = [Span(offsets[m.start][0], offsets[m.end - 1][1], text[offsets[m.start][0]:offsets[m.end - 1][1]],
                    m.term.category, m.term.target, term=m.term.term) for m in self.match(toks)]
        for sym, term in self.symbol_terms.items():
            start = text.find(sym)
            while start >= 0:
                out.append(Span(start, start + len(sym), sym, term.category, term.target, term=term.term))
                start = text.find(sym, start + len(sym))
        return sorted(out, key=lambda s: (s.start, s.end))


def category_score(hits: int) -> float:
    """0 hits -> 0.0, 1 -> 0.5, 2 -> 0.75, ...: one hit reaches the default threshold, more hits rank higher."""
    return 1.0 - 0.5 ** hits


class LexiconScorer(ModerationScorer):
    """All four categories from the reviewed lexicon; spans name the matched words and, for groups, the target."""

    name = "lexicon"
    term_spans = True

    def __init__(self, lexicon: Lexicon | None = None, thresholds: Mapping[str, float] | None = None):
        super().__init__(thresholds)
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()

    @classmethod
    def from_path(cls, path: str | Path | None = None, thresholds: Mapping[str, float] | None = None,
                  ) -> "LexiconScorer":
        return cls(Lexicon.load(path), thresholds)

    def score(self, texts: Sequence[str | None]) -> list[ModerationResult]:
        out = []
        for text, toks in zip(texts, batch_tokens(texts)):
            counts: Counter[str] = Counter(m.term.category for m in self.lexicon.match(toks))
            if text and self.lexicon.symbol_terms:
                for sym, term in self.lexicon.symbol_terms.items():
                    counts[term.category] += text.count(sym)
            spans = self.lexicon.spans(text) if text and sum(counts.values()) else []
            out.append(self.result({c: category_score(counts[c]) for c in self.categories}, spans))
        return out
