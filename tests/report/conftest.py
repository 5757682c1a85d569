"""One Context over the crafted tables of tests/support/tables.py, shared by the report tests (Spark is slow)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="package")
def report_ctx(spark, tmp_path_factory):
    from native_align.settings import build_settings
    from native_align.context import Context
    from tests.support.tables import write_tables

    root = tmp_path_factory.mktemp("report_tables")
    settings = build_settings({
        "tables": {"root": str(root / "tables"), "staging_root": str(root / "staging"),
                   "checkpoint_dir": str(root / "checkpoints")},
        "report": {"output_dir": str(root / "report"), "tokens_per_word": 2.0},
        "export": {"output_dir": str(root / "export")},
    })
    ctx = Context.create(settings, spark=spark)
    write_tables(spark, ctx.tables)
    return ctx
