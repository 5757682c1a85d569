"""Shared fixtures: one real local Spark session with Delta for the whole test run, fresh table roots per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NATIVE_ALIGN_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from native_align.config import SparkConfig
    from native_align.spark import get_spark

    local_dir = tmp_path_factory.mktemp("spark-local")
    session = get_spark(SparkConfig(master="local[2]", shuffle_partitions=4, driver_memory="2g",
                                    local_dir=str(local_dir),
                                    conf={"spark.sql.warehouse.dir": str(local_dir / "warehouse"),
                                          "spark.default.parallelism": "4"}))
    yield session
    session.stop()


@pytest.fixture
def settings(tmp_path):
    """Default settings with every table, staging and output folder inside this test's tmp_path."""
    from native_align.settings import build_settings

    return build_settings({
        "tables": {"root": str(tmp_path / "tables"), "staging_root": str(tmp_path / "staging"),
                   "checkpoint_dir": str(tmp_path / "checkpoints")},
        "report": {"output_dir": str(tmp_path / "report")},
        "export": {"output_dir": str(tmp_path / "export")},
    })


@pytest.fixture
def ctx(spark, settings):
    from native_align.context import Context

    return Context.create(settings, spark=spark)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip the test cleanly where it is absent (a user's fresh clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_lm(tmp_path_factory) -> str:
    """Path of a tiny random Qwen2 causal LM + byte-level BPE tokenizer with a chat template (tests/support/tiny_lm.py)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.support.tiny_lm import build_tiny_lm

    return build_tiny_lm(tmp_path_factory.mktemp("tiny_lm"))
