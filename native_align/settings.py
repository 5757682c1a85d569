"""All settings of one run, typed: every stage's section assembled into :class:`Settings`.

Built from ``conf/<profile>.yaml``, an optional user file and ``--set`` overrides (``native_align.config`` reads and
layers them); each section is validated by the model its stage owns, so a runner reads ``ctx.settings.dedup`` as a
``DedupConfig`` without re-annotating it. Importing this module loads only pydantic models (no Spark, torch or Ray):
``train-worker`` runs on a GPU box that has neither Java nor Spark.
"""

from __future__ import annotations

import os

from pydantic import Field, ValidationError

from native_align.alignment.config import GuardrailConfig  # noqa: F401  (re-exported for callers' convenience)
from native_align.annotate.config import ExpertConfig
from native_align.config import ConfigError, Section, SparkConfig, TablesConfig, describe_errors, read_layers
from native_align.curate.config import CurateConfig
from native_align.dedup.config import DedupConfig
from native_align.export.config import ExportConfig
from native_align.ingest.config import IngestConfig
from native_align.moderation.config import ModerationConfig
from native_align.pairs.config import PairsConfig
from native_align.pii.config import PiiConfig
from native_align.report.config import ReportConfig
from native_align.rewrite.config import RewriteConfig
from native_align.seed.config import SeedConfig
from native_align.train.config import TrainConfig


class Settings(Section):
    """Every section of a run; each defaults to its model's defaults."""

    profile: str = "local"
    spark: SparkConfig = Field(default_factory=SparkConfig)
    tables: TablesConfig = Field(default_factory=TablesConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    curate: CurateConfig = Field(default_factory=CurateConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    pii: PiiConfig = Field(default_factory=PiiConfig)
    moderation: ModerationConfig = Field(default_factory=ModerationConfig)
    seed: SeedConfig = Field(default_factory=SeedConfig)
    expert: ExpertConfig = Field(default_factory=ExpertConfig)
    pairs: PairsConfig = Field(default_factory=PairsConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    rewrite: RewriteConfig = Field(default_factory=RewriteConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    export: ExportConfig = Field(default_factory=ExportConfig)


SECTIONS: tuple[str, ...] = tuple(name for name in Settings.model_fields if name != "profile")


def build_settings(data: dict | None = None, profile: str = "local", sources: dict[str, str] | None = None) -> Settings:
    """Validate a plain dict of sections (what a YAML file holds) into :class:`Settings`."""
    data = dict(data or {})
    sources = sources or {}
    unknown = sorted(set(data) - set(SECTIONS) - {"profile"})
    if unknown:
        where = ", ".join(f"'{k}' (from {sources.get(k, 'input')})" for k in unknown)
        raise ConfigError(f"unknown config section {where}; known sections: {', '.join(sorted(SECTIONS))}")
    for name in SECTIONS:
        if data.get(name) is None:
            data.pop(name, None)
        elif not isinstance(data[name], dict):
            raise ConfigError(f"section '{name}' (from {sources.get(name, 'input')}) must be a mapping")
    data.setdefault("profile", profile)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, sources)) from None


def load_settings(profile: str = "local", config_file: str | os.PathLike | None = None,
                  overrides: list[str] | None = None) -> Settings:
    """Build validated settings: ``conf/<profile>.yaml``, then ``config_file``, then ``--set`` overrides."""
    data, sources = read_layers(profile, config_file, overrides)
    return build_settings(data, profile=profile, sources=sources)


def default_settings() -> Settings:
    """Every section at its defaults (tests and notebooks start here)."""
    return build_settings({})
