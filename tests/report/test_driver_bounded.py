"""Report sections bring bins and summaries to the driver, never one row per document."""

from __future__ import annotations

from pyspark.sql import functions as F

from native_align.report import stats
from native_align.report.stage import LENGTH_BINS, length_section


def test_length_section_collects_bins_not_documents(report_ctx, monkeypatch):
    n = 5000
    # ratios k/100 for k = 50..149, 50 documents each: median 0.99, everything inside [0, 2)
    pairs = report_ctx.spark.range(n).select(
        F.concat(F.lit("d"), F.col("id").cast("string")).alias("doc_id"),
        F.expr("repeat('a', 100)").alias("original_text"),
        F.expr("repeat('b', 50 + cast(id % 100 as int))").alias("rewrite"))
    frame_class = type(pairs)
    seen: list[int] = []
    collect, to_pandas = frame_class.collect, frame_class.toPandas

    def counting_collect(self):
        rows = collect(self)
        seen.append(len(rows))
        return rows

    def counting_to_pandas(self):
        pdf = to_pandas(self)
        seen.append(len(pdf))
        return pdf

    monkeypatch.setattr(frame_class, "collect", counting_collect)
    monkeypatch.setattr(frame_class, "toPandas", counting_to_pandas)
    section = length_section(pairs, n)
    monkeypatch.undo()
    assert seen and max(seen) <= LENGTH_BINS                     # the old section collected 5,000 ratios
    assert section.status == "ok" and len(section.plots) == 1
    assert section.summary[0].startswith("median length ratio 0.99;")
    hist = stats.histogram(stats.length_change(pairs), "char_ratio", 0.0, 2.0, LENGTH_BINS).collect()
    assert sum(r["documents"] for r in hist) == n and len(hist) == 20   # ratios 0.50..1.49 in 0.05 bins
