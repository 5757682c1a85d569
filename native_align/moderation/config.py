"""Settings of moderation, and ``make_scorer``: which scorer a run uses is configuration, not code.

The run's ``moderation`` section (``Settings.moderation``): the guardrails' ``moderation_missed`` rule, the report
and ``eval worker`` take their scorer from it, so switching ``moderation.scorer`` switches all of them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from native_align.config import Section
from native_align.llm.config import ChatEndpointConfig
from native_align.moderation.base import ModerationScorer, check_thresholds


class ModerationEndpointConfig(ChatEndpointConfig):
    """An OpenAI-compatible endpoint: ``POST /moderations`` (mode ``moderations``) or a chat model that judges by
    a fixed rubric (mode ``judge``, e.g. Llama Guard served by vLLM). The key: env var ``api_key_env`` only."""

    mode: Literal["moderations", "judge"] = "moderations"
    model: str = "omni-moderation-latest"
    # judge: send our rubric as the system message; False for models whose chat template carries their own
    # policy (Llama Guard): the text then goes alone, and the "safe" / "unsafe\nS1,S10" reply is parsed.
    judge_rubric: bool = True
    temperature: float | None = 0.0
    max_tokens: int | None = Field(64, ge=1)
    # moderations: texts per request (OpenAI accepts a list as "input").
    batch_size: int = Field(32, ge=1)
    # Longer texts are cut before sending (endpoints limit input size; the cut text is what is cached).
    max_chars: int = Field(20_000, ge=100)
    # Extra or replacement mappings: endpoint category (or Llama Guard code "S10") -> our categories.
    category_map: dict[str, list[str]] = Field(default_factory=dict)


class ModerationConfig(Section):
    """Which scorer, its thresholds and its resources."""

    scorer: Literal["lexicon", "classifier", "api"] = "lexicon"
    # Per category (profanity, sexual, insult_group, threat); unset categories keep the scorer's own default
    # (lexicon: 0.5 = one hit; classifier: profanity 0.9, insult_group 0.7; api: 0.5).
    thresholds: dict[str, float] = Field(default_factory=dict)
    # None: the packaged, reviewed lexicon (resources/moderation/lexicon_ar.tsv); any .tsv or one-term-a-line file.
    lexicon_path: str | None = None
    # None: the packaged MLMA fastText model (resources/moderation/mlma_ar.ftz).
    classifier_path: str | None = None
    # Classifier: 0 scores a text whole; N > 0 scores windows of N words and keeps the highest.
    window_words: int = Field(0, ge=0)
    endpoint: ModerationEndpointConfig = Field(default_factory=ModerationEndpointConfig)
    # API results cached by (text hash, model, mode) in an SQLite file here; None: in memory for one scorer.
    cache_dir: str | None = "work/cache/moderation"

    @field_validator("thresholds")
    @classmethod
    def _known_categories(cls, value: dict[str, float]) -> dict[str, float]:
        check_thresholds(value)
        return value


def make_scorer(cfg: ModerationConfig | None = None) -> ModerationScorer:
    """The scorer ``cfg.scorer`` names, configured; implementations are imported only when chosen (fastText,
    aiohttp)."""
    cfg = cfg or ModerationConfig()
    if cfg.scorer == "lexicon":
        from native_align.moderation.lexicon import LexiconScorer

        return LexiconScorer.from_path(cfg.lexicon_path, cfg.thresholds)
    if cfg.scorer == "classifier":
        from native_align.moderation.classifier import ClassifierScorer

        return ClassifierScorer(cfg.classifier_path, cfg.thresholds, window_words=cfg.window_words)
    from native_align.moderation.client import ApiScorer

    return ApiScorer(cfg.endpoint, cfg.thresholds, cache_dir=cfg.cache_dir)
