import pyarrow as pa
import pytest
from pyspark.sql.types import LongType, StringType, StructField, StructType

from native_align.curate.config import CurateConfig
from native_align.curate.schema import SIGNALS_SCHEMA
from native_align.curate.stage import curate, run, score_batch
from tests.curate.texts import ENGLISH, NEWS, PERSIAN, REPEATED

DOCS = StructType([StructField("doc_id", StringType(), False), StructField("source", StringType()),
                   StructField("text", StringType()), StructField("content_hash", StringType()),
                   StructField("n_chars", LongType())])

ROWS = [("news", "t", NEWS), ("english", "t", ENGLISH), ("persian", "t", PERSIAN), ("empty", "t", "  \n"),
        ("null", "t", None), ("repeated", "t", REPEATED), ("spam", "t", (NEWS.split("\n\n")[0] + "\n\n") * 6)]


def _df(spark, rows=ROWS):
    return spark.createDataFrame([(i, s, t, f"h-{i}", len(t or "")) for i, s, t in rows], DOCS)


def _reasons(rows):
    return {r["doc_id"]: (r["keep"], set(r["reject_reasons"])) for r in rows}


def test_keep_and_reasons_on_arrow():
    batch = pa.table({"doc_id": [r[0] for r in ROWS], "source": [r[1] for r in ROWS],
                      "content_hash": ["h"] * len(ROWS), "text": [r[2] for r in ROWS]})
    out = score_batch(batch, CurateConfig(), run_id="r1").to_pylist()
    got = _reasons(out)
    assert got["news"] == (True, set())
    assert got["empty"] == (False, {"empty_text"}) and got["null"] == (False, {"empty_text"})
    assert not got["english"][0] and {"lid_not_arabic", "arabic_script_low"} <= got["english"][1]
    assert not got["persian"][0] and "lid_non_arabic_letters" in got["persian"][1]
    assert not got["repeated"][0] and {"rep_dup_line_frac", "gopher_too_few_words"} <= got["repeated"][1]
    assert not got["spam"][0] and "rep_dup_5gram" in got["spam"][1]
    assert "rep_dup_para_frac" not in got["spam"][1]  # FineWeb-2 turns the paragraph rules off by default
    news = next(r for r in out if r["doc_id"] == "news")
    assert 0.0 < news["quality_score"] <= 1.0 and news["is_arabic"] and news["lang"] == "ar"
    assert all(0.0 <= r["quality_score"] <= 1.0 for r in out) and out[3]["quality_score"] == 0.0
    # loosening the rules that fired keeps the repeated doc: keep follows the config
    loose = CurateConfig.model_validate({"gopher_quality": {"min_words": None}, "gopher_repetition": {
        "max_dup_line_frac": None, "max_dup_line_char_frac": None, "max_top_ngram_frac": {2: None, 3: None, 4: None},
        "max_dup_ngram_frac": {}}, "fineweb": {"max_char_dup_ratio": None, "max_short_line_ratio": None,
                                              "max_newline_ratio": None}})
    assert _reasons(score_batch(batch, loose).to_pylist())["repeated"] == (True, set())


def test_missing_text_column_is_a_clear_error(spark):
    with pytest.raises(ValueError, match="text"):
        curate(spark.createDataFrame([("a", "s", "h")], "doc_id string, source string, content_hash string"))


def test_curate_in_spark_matches_schema(spark):
    out = curate(_df(spark), CurateConfig(batch_size=3), run_id="r1")
    assert out.schema == SIGNALS_SCHEMA
    rows = out.collect()
    assert len(rows) == len(ROWS)
    got = _reasons(rows)
    assert got["news"] == (True, set()) and got["null"] == (False, {"empty_text"})


def test_run_writes_delta_and_reruns_are_idempotent(spark, ctx):
    ctx.tables.overwrite("documents", _df(spark))
    counts = run(ctx)
    assert counts["scored"] == len(ROWS) == counts["signals_rows"]
    assert counts["kept"] == 1 and counts["rejected"] == len(ROWS) - 1
    assert counts["reason.empty_text"] == 2
    table = ctx.tables.read("signals")
    assert [(f.name, f.dataType) for f in table.schema] == [(f.name, f.dataType) for f in SIGNALS_SCHEMA]
    assert table.where("keep").select("doc_id").first()["doc_id"] == "news"

    again = run(ctx.new_run())  # nothing new: nothing scored, nothing duplicated
    assert again["scored"] == 0 and again["signals_rows"] == len(ROWS)
    ctx.tables.append("documents", _df(spark, [("news2", "t", NEWS + "\n\nخبر إضافي عن الموضوع نفسه.")]))

    ctx.settings.curate.write_mode = "all"
    ctx.settings.curate.gopher_quality.min_words = 5000
    counts = run(ctx.new_run())  # thresholds changed: rescore everything, overwrite
    assert counts["scored"] == len(ROWS) + 1 and counts["kept"] == 0
    assert counts["reason.gopher_too_few_words"] == len(ROWS) + 1 - 2
