"""Typed, validated configuration.

A run's settings come from one YAML profile in ``conf/`` (``local``, ``cluster``, ``databricks``), an optional user
file layered on top, and ``--set section.key=value`` overrides from the command line. Every section is a pydantic
model with ``extra="forbid"``, so a misspelled key fails loudly, naming the key and the file it came from.

Each stage owns its section model (``native_align/<stage>/config.py``); this module only assembles them.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

REPO_CONF_DIR = Path(__file__).resolve().parent.parent / "conf"
PACKAGE_CONF_DIR = Path(__file__).resolve().parent / "resources" / "conf"


class Section(BaseModel):
    """Base of every config section: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SparkConfig(Section):
    """How to get a SparkSession. ``master`` is only used when no session exists (local mode, tests)."""

    master: str = "local[*]"
    app_name: str = "native-align"
    shuffle_partitions: int = Field(8, ge=1)
    driver_memory: str = "4g"
    local_dir: str | None = None
    # Extra Spark conf applied only when we build the session ourselves.
    conf: dict[str, str] = Field(default_factory=dict)
    # Folder of Delta jars for machines where Ivy cannot reach Maven Central (see README).
    jars_dir: str | None = None


class TablesConfig(Section):
    """Where tables live: a folder of Delta paths locally, or ``catalog.schema`` names on Databricks."""

    mode: Literal["path", "catalog"] = "path"
    root: str = "work/tables"
    catalog_prefix: str = "main.native_align"
    staging_root: str = "work/staging"
    checkpoint_dir: str = "work/checkpoints"


def _section_models() -> dict[str, type[Section]]:
    """Import stage section models lazily so that a stage's heavy imports never load with the config."""
    from native_align.ingest.config import IngestConfig
    from native_align.curate.config import CurateConfig
    from native_align.dedup.config import DedupConfig
    from native_align.rewrite.config import RewriteConfig
    from native_align.seed.config import SeedConfig, ExpertConfig, TrainConfig
    from native_align.report.config import ReportConfig, ExportConfig

    return {
        "spark": SparkConfig,
        "tables": TablesConfig,
        "ingest": IngestConfig,
        "curate": CurateConfig,
        "dedup": DedupConfig,
        "seed": SeedConfig,
        "expert": ExpertConfig,
        "train": TrainConfig,
        "rewrite": RewriteConfig,
        "report": ReportConfig,
        "export": ExportConfig,
    }


class Settings(Section):
    """All settings of one run. Built by :func:`load_settings`; sections are typed models."""

    profile: str = "local"
    spark: SparkConfig = Field(default_factory=SparkConfig)
    tables: TablesConfig = Field(default_factory=TablesConfig)
    ingest: Any = None
    curate: Any = None
    dedup: Any = None
    seed: Any = None
    expert: Any = None
    train: Any = None
    rewrite: Any = None
    report: Any = None
    export: Any = None


class ConfigError(ValueError):
    """A configuration problem, phrased for the person who wrote the file."""


def conf_dir() -> Path:
    """``conf/`` of a source checkout, else the copy packaged inside the wheel."""
    env = os.environ.get("NATIVE_ALIGN_CONF_DIR")
    if env:
        return Path(env)
    return REPO_CONF_DIR if REPO_CONF_DIR.is_dir() else PACKAGE_CONF_DIR


def _deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    return data


def parse_override(text: str) -> tuple[list[str], Any]:
    """``curate.lang_threshold=0.8`` -> (["curate", "lang_threshold"], 0.8); the value is parsed as YAML."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected section.key=value")
    key, raw = text.split("=", 1)
    parts = [p for p in key.strip().split(".") if p]
    if len(parts) < 2:
        raise ConfigError(f"--set {text!r}: name a section and a key, e.g. curate.lang_threshold=0.8")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return parts, value


def _apply_override(data: dict, parts: list[str], value: Any) -> None:
    node = data
    for part in parts[:-1]:
        nxt = node.get(part)
        if nxt is None:
            nxt = node[part] = {}
        if not isinstance(nxt, dict):
            raise ConfigError(f"--set {'.'.join(parts)}: {part} is not a section")
        node = nxt
    node[parts[-1]] = value


def _describe_errors(exc: ValidationError, section: str, sources: dict[str, str]) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in (section, *err["loc"]))
        origin = sources.get(loc) or sources.get(section) or "defaults"
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown key '{loc}' (from {origin})")
        else:
            lines.append(f"'{loc}' (from {origin}): {err['msg']}; got {err.get('input')!r}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def _record_sources(data: dict, origin: str, sources: dict[str, str], prefix: str = "") -> None:
    for key, value in data.items():
        loc = f"{prefix}{key}"
        sources[loc] = origin
        if isinstance(value, dict):
            _record_sources(value, origin, sources, loc + ".")


def load_settings(
    profile: str = "local",
    config_file: str | os.PathLike | None = None,
    overrides: list[str] | None = None,
) -> Settings:
    """Build validated settings: ``conf/<profile>.yaml``, then ``config_file``, then ``--set`` overrides."""
    sources: dict[str, str] = {}
    base_path = conf_dir() / f"{profile}.yaml"
    data = _read_yaml(base_path)
    _record_sources(data, str(base_path), sources)
    if config_file:
        user = _read_yaml(Path(config_file))
        _record_sources(user, str(config_file), sources)
        data = _deep_merge(data, user)
    for text in overrides or []:
        parts, value = parse_override(text)
        _apply_override(data, parts, value)
        sources[".".join(parts)] = f"--set {text}"
    return build_settings(data, profile=profile, sources=sources)


def build_settings(data: dict | None = None, profile: str = "local", sources: dict[str, str] | None = None) -> Settings:
    """Validate a plain dict of sections (what a YAML file holds) into :class:`Settings`."""
    data = dict(data or {})
    sources = sources or {}
    models = _section_models()
    unknown = sorted(set(data) - set(models) - {"profile"})
    if unknown:
        where = ", ".join(f"'{k}' (from {sources.get(k, 'input')})" for k in unknown)
        raise ConfigError(f"unknown config section {where}; known sections: {', '.join(sorted(models))}")
    built: dict[str, Any] = {"profile": data.get("profile", profile)}
    for name, model in models.items():
        raw = data.get(name) or {}
        if not isinstance(raw, dict):
            raise ConfigError(f"section '{name}' (from {sources.get(name, 'input')}) must be a mapping")
        try:
            built[name] = model.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(_describe_errors(exc, name, sources)) from None
    return Settings.model_construct(**built)


def default_settings() -> Settings:
    """Every section at its defaults (tests and notebooks start here)."""
    return build_settings({})
