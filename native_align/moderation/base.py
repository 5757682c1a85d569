"""The moderation interface every scorer implements, so that the report, the guardrails and the evaluation can
swap a lexicon, a trained classifier and a moderation API without changing a line.

Our four categories follow the code of conduct's content-moderation rule (the paper measured four categories with
a moderation API): ``profanity`` (obscenity and insults aimed at a person), ``sexual``, ``insult_group`` (insults
aimed at a group, with the group's kind in ``Span.target`` where known) and ``threat``. A scorer scores only the
categories it can; ``categories`` says which, and a category it cannot score is absent from ``scores``, never 0.
This module imports nothing heavy (no Spark, no fastText).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Mapping, Sequence

CATEGORIES: tuple[str, ...] = ("profanity", "sexual", "insult_group", "threat")
# Kinds of group an insult_group hit is aimed at (a lexicon term or a classifier may know it; "" = unknown).
TARGETS: tuple[str, ...] = ("religion", "ethnicity", "nationality", "gender")
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Span:
    """An offending substring of the scored text: ``text[start:end]``, by character offsets of the original."""

    start: int
    end: int
    text: str
    category: str
    target: str = ""
    score: float = 1.0
    # The lexicon entry matched ("" for classifier windows): a rewrite keeps an insult when it keeps this term.
    term: str = ""


@dataclass(frozen=True)
class ModerationResult:
    """Scores in [0, 1] per category the scorer knows; ``error`` set (and nothing flagged) when scoring failed."""

    scores: Mapping[str, float]
    flagged: bool
    spans: tuple[Span, ...] = ()
    error: str | None = None
    # What the endpoint itself said, by its own category names (API scorer only), for audits of the mapping.
    raw: Mapping[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def max_score(self) -> float:
        """One number per text (for AUC and ranking): the highest category score, 0.0 when none."""
        return max(self.scores.values(), default=0.0)

    def flagged_categories(self, thresholds: Mapping[str, float]) -> list[str]:
        return [c for c, s in self.scores.items() if s >= thresholds.get(c, DEFAULT_THRESHOLD)]


def default_thresholds() -> dict[str, float]:
    return {c: DEFAULT_THRESHOLD for c in CATEGORIES}


def check_thresholds(thresholds: Mapping[str, float]) -> dict[str, float]:
    """Unknown category names and values outside [0, 1] are errors (a typo must not silently disable a category)."""
    unknown = set(thresholds) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown moderation categories {sorted(unknown)}; known: {CATEGORIES}")
    bad = {c: v for c, v in thresholds.items() if not 0.0 <= float(v) <= 1.0}
    if bad:
        raise ValueError(f"thresholds must lie in [0, 1]: {bad}")
    return {**default_thresholds(), **{c: float(v) for c, v in thresholds.items()}}


class ModerationScorer(ABC):
    """``score(texts)`` gives one :class:`ModerationResult` per text, in order, and never raises for one text."""

    name: str = "scorer"
    categories: tuple[str, ...] = CATEGORIES
    # This scorer's own defaults (a classifier's probabilities and a lexicon's hit scores differ in scale);
    # thresholds given to __init__ (from config) override them per category.
    default_thresholds: Mapping[str, float] = {}
    # True when spans name the offending words themselves (a lexicon term), so "the rewrite kept the same insult"
    # can be decided per term; False for windows or whole texts (classifier) and span-less scorers (API).
    term_spans: bool = False

    def __init__(self, thresholds: Mapping[str, float] | None = None):
        self.thresholds = check_thresholds({**self.default_thresholds, **(thresholds or {})})

    @abstractmethod
    def score(self, texts: Sequence[str | None]) -> list[ModerationResult]:
        """Per-category scores, flag and spans for each text (None or "" scores as clean)."""

    def result(self, scores: Mapping[str, float], spans: Sequence[Span] = (), raw: Mapping[str, float] | None = None,
               ) -> ModerationResult:
        """A result whose ``flagged`` applies this scorer's thresholds (any category at or above its threshold)."""
        scores = {c: min(1.0, max(0.0, float(s))) for c, s in scores.items()}
        flagged = any(s >= self.thresholds[c] for c, s in scores.items())
        return ModerationResult(scores=scores, flagged=flagged, spans=tuple(spans), raw=dict(raw or {}))

    def error_result(self, error: str) -> ModerationResult:
        return ModerationResult(scores={}, flagged=False, error=error)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, categories={self.categories})"
