"""One curated + aligned table set for the export tests (Spark is slow: built once per package)."""

from __future__ import annotations

import random

import pytest

N = 300


@pytest.fixture(scope="package")
def corpus(spark, tmp_path_factory):
    """A curated table of N docs; aligned rows for ~2/3 of them: ok for most, rejected / error for some."""
    from native_align.context import Context
    from native_align.rewrite.schema import ALIGNED_SCHEMA
    from native_align.settings import build_settings
    from tests.support.tables import CURATED_SCHEMA, T0

    root = tmp_path_factory.mktemp("export_tables")
    ctx = Context.create(build_settings({"tables": {"root": str(root / "tables")}}), spark=spark)
    rng = random.Random(5)
    vocab = "في من على إلى مدينة الرياض وزارة الصحة مستشفى جديد عام 2015 قال أعلن الطلاب".split()
    curated, aligned = [], []
    for i in range(N):
        doc = f"doc{i:04d}"
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(20, 60)))
        curated.append((doc, "src" + str(i % 3), f"https://x/{i}", f"t{i}", "2015-07-21", text, f"h{i}",
                        len(text), "ar"))
        if i % 3 != 0:
            status = "ok" if i % 10 else ("rejected" if i % 20 else "error")
            rewrite = "معاد: " + text if status != "error" else None
            aligned.append((doc, "m", "v1", "hf", text, rewrite, status, [], 1, 1, 1, None, T0, "r"))
    ctx.tables.overwrite("curated", spark.createDataFrame(curated, CURATED_SCHEMA))
    ctx.tables.overwrite("aligned", spark.createDataFrame(aligned, ALIGNED_SCHEMA))
    ok_ids = {a[0] for a in aligned if a[6] == "ok"}
    return ctx, ok_ids
