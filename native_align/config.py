"""Configuration building blocks: the section base class, the platform sections, and the layering of YAML files.

A run's settings come from one YAML profile in ``conf/`` (``local``, ``cluster``, ``databricks``), an optional user
file layered on top, and ``--set section.key=value`` overrides from the command line (:func:`read_layers`). Every
section is a pydantic model with ``extra="forbid"``, so a misspelled key fails loudly, naming the key and the file it
came from (:func:`describe_errors`).

This module is a leaf: each stage owns its section model (``native_align/<stage>/config.py``) and imports
:class:`Section` from here; ``native_align.settings`` assembles the sections into one typed ``Settings``.
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
    """How to get a SparkSession, and the settings a run needs in it.

    ``master``, ``app_name`` and ``jars_dir`` are only used when no session exists (local mode, tests). The others
    are also applied to an existing session (spark-submit, Databricks) when the profile or ``--set`` names them:
    SQL confs such as ``shuffle_partitions`` with ``spark.conf.set``; static ones (``driver_memory``,
    ``local_dir``) cannot change in a running session, so a differing value is logged as a warning
    (``native_align.spark.apply_settings``). A key left out of the config leaves the session's value alone.
    """

    master: str = "local[*]"
    app_name: str = "native-align"
    shuffle_partitions: int = Field(8, ge=1)
    driver_memory: str = "4g"
    local_dir: str | None = None
    # Extra Spark conf: set on the session we build, and with spark.conf.set on an existing one (warning if refused).
    conf: dict[str, str] = Field(default_factory=dict)
    # Folder of Delta jars for machines where Ivy cannot reach Maven Central (see README).
    jars_dir: str | None = None


class TablesConfig(Section):
    """Where tables live: Delta folders under ``root`` (path mode), or ``catalog.schema`` names on Databricks.

    ``root``, ``staging_root`` and ``checkpoint_dir`` are local paths (relative ones resolved against the cwd) or
    URIs Hadoop reads (``s3a://``, ``abfss://``, ``gs://``, ``file://``, ``dbfs:/Volumes/...``).
    """

    mode: Literal["path", "catalog"] = "path"
    root: str = "work/tables"
    catalog_prefix: str = "main.native_align"
    staging_root: str = "work/staging"
    checkpoint_dir: str = "work/checkpoints"


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


def describe_errors(exc: ValidationError, sources: dict[str, str]) -> str:
    """A pydantic error as lines naming each key and where its value came from (file, ``--set`` or defaults)."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        section = str(err["loc"][0]) if err["loc"] else ""
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


def read_layers(profile: str = "local", config_file: str | os.PathLike | None = None,
                overrides: list[str] | None = None) -> tuple[dict, dict[str, str]]:
    """``conf/<profile>.yaml``, then ``config_file``, then ``--set`` overrides, merged into one dict of sections;
    plus where every key came from (for error messages)."""
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
    return data, sources
