"""Each statistic against the hand counts of tests/support/tables.py."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from native_align.report import stats
from native_align.rewrite.aligned import select_aligned


@pytest.fixture(scope="module")
def t(report_ctx):
    return {name: report_ctx.tables.read(name) for name in
            ("documents", "quarantine", "signals", "duplicates", "curated", "seed", "aligned", "runs")}


def test_funnel_counts_every_stage(report_ctx, t):
    selected = select_aligned(t["aligned"]).where(F.col("status") == "ok")
    kept = t["signals"].where("keep").select("doc_id")
    frames = {
        "ingested": t["documents"], "quarantined": t["quarantine"],
        "curated-kept": t["documents"].join(kept, "doc_id", "left_semi"), "deduped": t["curated"],
        "seed": t["seed"], "aligned-ok": selected.select(F.col("rewrite").alias("text")),
    }
    got = stats.funnel(report_ctx.spark, frames, tokens_per_word=2.0,
                       counts_only={"ingested": [t["quarantine"]]}).toPandas().set_index("stage")
    assert list(got.index) == ["ingested", "quarantined", "curated-kept", "deduped", "seed", "aligned-ok"]
    expect = {"ingested": (12, 147, 31), "curated-kept": (7, 103, 22), "deduped": (4, 66, 14),
              "seed": (2, 23, 5), "aligned-ok": (2, 23, 5)}
    for stage, (docs, chars, words) in expect.items():
        row = got.loc[stage]
        assert (row["documents"], row["characters"], row["words"], row["est_tokens"]) == \
            (docs, chars, words, 2 * words), stage
    assert got.loc["quarantined", "documents"] == 2 and got.loc["quarantined", "characters"] != \
        got.loc["quarantined", "characters"]  # NaN: unknown, not zero


def test_funnel_marks_missing_stages(report_ctx, t):
    got = stats.funnel(report_ctx.spark, {"ingested": t["documents"]}).toPandas().set_index("stage")
    assert got.loc["ingested", "status"] == "ok" and got.loc["ingested", "documents"] == 10
    assert (got.drop("ingested")["status"] == "stage not run").all()


def test_reject_reasons(t):
    got = dict(stats.reject_reasons(t["signals"]).toPandas().values.tolist())
    assert got == {"too_short": 2, "not_arabic": 1, "gopher_repetition": 1}


def test_language_distribution(t):
    got = {r["lang"]: (r["documents"], r["kept"], r["is_arabic"])
           for r in stats.language_distribution(t["signals"]).collect()}
    assert got == {"ar": (8, 6, True), "arz": (1, 1, True), "en": (1, 0, False)}


def test_cluster_size_histogram(t):
    got = [tuple(r) for r in stats.cluster_size_histogram(t["duplicates"]).collect()]
    assert got == [(2, 1, 2, 1), (3, 1, 3, 2)]


def test_per_source(t):
    got = {r["source"]: tuple(r)[1:] for r in stats.per_source(
        t["documents"], t["signals"], t["duplicates"], t["curated"], select_aligned(t["aligned"]),
        t["quarantine"]).collect()}
    # ingested, quarantined, rejected, duplicates, curated, aligned_ok
    assert got == {"news": (7, 1, 0, 3, 3, 2), "forum": (5, 1, 3, 0, 1, 0)}


def test_per_source_without_later_stages_is_null_not_zero(t):
    row = stats.per_source(t["documents"]).where("source = 'news'").first()
    assert row["ingested"] == 6 and row["rejected"] is None and row["curated"] is None and row["quarantined"] is None


def test_select_aligned_takes_latest_or_named_model(t):
    latest = {r["doc_id"]: (r["model"], r["status"]) for r in select_aligned(t["aligned"]).collect()}
    assert latest["d01"] == ("m2", "ok") and len(latest) == 4
    m1 = {r["doc_id"]: r["status"] for r in select_aligned(t["aligned"], model="m1").collect()}
    assert m1 == {"d01": "rejected"}


def test_rewrite_status_and_reasons(t):
    sel = select_aligned(t["aligned"])
    assert dict(stats.rewrite_status(sel).toPandas().values.tolist()) == {"ok": 2, "rejected": 1, "error": 1}
    assert dict(stats.rewrite_reasons(sel).toPandas().values.tolist()) == \
        {"too_short": 1, "numbers_missing": 1, "engine_error": 1}
    # over the raw table, d01's older rejected row would be counted too
    assert dict(stats.rewrite_status(t["aligned"]).toPandas().values.tolist())["rejected"] == 2


def test_length_change(t):
    pairs = select_aligned(t["aligned"]).where("status = 'ok'")
    lengths = {r["doc_id"]: (r["original_chars"], r["rewrite_chars"], r["original_words"], r["rewrite_words"])
               for r in stats.length_change(pairs).collect()}
    assert lengths == {"d01": (14, 9, 3, 2), "d04": (9, 14, 2, 3)}
    summ = stats.length_summary(stats.length_change(pairs)).first()
    assert (summ["documents"], summ["original_chars"], summ["rewrite_chars"]) == (2, 23, 23)
    assert summ["ratio_p10"] == pytest.approx(9 / 14) and summ["ratio_p90"] == pytest.approx(14 / 9)


def test_latest_stage_runs(t):
    got = {r["stage"]: (r["run_id"], r["counts"]) for r in stats.latest_stage_runs(t["runs"]).collect()}
    assert got == {"ingest": ("r2", "documents=10, quarantined=2"), "curate": ("r2", "kept=7, rejected=3")}


def test_reasons_stored_as_delimited_string(report_ctx):
    df = report_ctx.spark.createDataFrame([("a", False, "x; y"), ("b", False, "x"), ("c", True, "")],
                                          "doc_id string, keep boolean, reject_reasons string")
    assert dict(stats.reject_reasons(df).toPandas().values.tolist()) == {"x": 2, "y": 1}


def test_histogram_is_binned_in_spark(report_ctx):
    df = report_ctx.spark.createDataFrame([(-1.0,), (0.0,), (0.5,), (1.99,), (2.0,), (5.0,), (None,),
                                           (float("nan"),)], "x double")
    got = [(r["bin"], r["lo"], r["hi"], r["documents"]) for r in stats.histogram(df, "x", 0.0, 2.0, 4).collect()]
    # below the range -> first bin, at or above it -> last bin; null and NaN left out; empty bins have no row
    assert got == [(0, 0.0, 0.5, 2), (1, 0.5, 1.0, 1), (3, 1.5, 2.0, 3)]
    with pytest.raises(ValueError):
        stats.histogram(df, "x", 1.0, 1.0, 4)
