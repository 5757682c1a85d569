"""The ingest runner end to end on the packaged sample corpus and on broken inputs, with real Delta tables."""

from __future__ import annotations

import gzip
import shutil

import pytest
from pyspark.sql import functions as F

from native_align.settings import build_settings
from native_align.context import Context
from native_align.ingest import schema as S
from native_align.ingest.sources import IngestError
from native_align.ingest.stage import read_source, run
from native_align.text.normalize import content_hash
from tests.ingest.conftest import rec

SAMPLE = {"name": "sample", "path": "package://sample", "id_field": "id", "url_field": "url",
          "title_field": "title", "date_field": "date"}

# What scripts/make_sample_corpus.py plants in the sample (see its `broken` list, forum.csv and pages/).
SAMPLE_QUARANTINE = {S.INVALID_JSON: 3, S.MISSING_TEXT: 2, S.EMPTY_TEXT: 4, S.NON_STRING_TEXT: 2,
                     S.NOT_AN_OBJECT: 1, S.DUPLICATE_RECORD_ID: 1, S.INVALID_UTF8: 2, S.MALFORMED_CSV: 1}


def _ctx(spark, tmp_path, sources, **ingest):
    settings = build_settings({
        "tables": {"root": str(tmp_path / "tables"), "staging_root": str(tmp_path / "staging")},
        "ingest": {"sources": sources, **ingest}})
    return Context.create(settings, spark=spark)


def test_sample_corpus_ingests_and_reruns_add_nothing(spark, tmp_path):
    ctx = _ctx(spark, tmp_path, [SAMPLE])
    counts = run(ctx)
    docs, quar = ctx.tables.read("documents"), ctx.tables.read("quarantine")

    assert docs.schema.fieldNames() == S.DOCUMENTS_SCHEMA.fieldNames()
    assert quar.schema.fieldNames() == S.QUARANTINE_SCHEMA.fieldNames()
    n_docs, n_quar = docs.count(), quar.count()
    assert counts["documents_added"] == n_docs == counts["records_valid"]
    assert counts["quarantined_added"] == n_quar == sum(SAMPLE_QUARANTINE.values())
    assert counts["records_seen"] == n_docs + n_quar
    assert counts["blank_lines_skipped"] == 1
    assert 280 <= n_docs <= 320
    by_reason = {r["reason"]: r["count"] for r in quar.groupBy("reason").count().collect()}
    assert by_reason == SAMPLE_QUARANTINE
    assert {k: v for k, v in counts.items() if k.startswith("quarantined.")} == \
        {f"quarantined.{k}": v for k, v in SAMPLE_QUARANTINE.items()}
    assert docs.select("doc_id").distinct().count() == n_docs
    assert set(r[0] for r in docs.select("source_file").distinct().collect()) >= \
        {"news.jsonl.gz", "wire.jsonl.zst", "forum.csv", "pages/page_00.txt"}

    # content_hash is the library's hash of the normalized text; n_chars counts characters
    for row in docs.orderBy("doc_id").limit(5).collect():
        assert row["content_hash"] == content_hash(row["text"])
        assert row["n_chars"] == len(row["text"])
    # an invalid JSON line carries Python's precise message and a bounded excerpt
    bad = quar.where(F.col("reason") == S.INVALID_JSON).orderBy("position").first()
    assert bad["error"].startswith("not valid JSON:") and len(bad["raw_excerpt"]) <= 500
    assert bad["record_key"] == f"sample|news.jsonl.gz|{bad['position']}"

    again = run(ctx)
    assert again["documents_added"] == 0 and again["quarantined_added"] == 0
    assert again["records_seen"] == counts["records_seen"]
    assert ctx.tables.read("documents").count() == n_docs


def test_text_too_large_is_quarantined_not_truncated(spark, tmp_path, write_jsonl):
    write_jsonl(tmp_path / "c" / "a.jsonl", [rec(0, text="قصير"), rec(1, text="طويل " * 200)])
    ctx = _ctx(spark, tmp_path, [{"name": "s", "path": str(tmp_path / "c")}], max_text_bytes=500)
    counts = run(ctx)
    assert (counts["documents_added"], counts["quarantined.text_too_large"]) == (1, 1)
    row = ctx.tables.read("quarantine").first()
    assert row["reason"] == S.TEXT_TOO_LARGE and "max_text_bytes 500" in row["error"]


def test_doc_ids_depend_on_source_file_and_position_not_on_the_mount(spark, tmp_path, write_jsonl):
    write_jsonl(tmp_path / "a" / "x" / "part.jsonl", [rec(i) for i in range(3)])
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    src = build_settings({"ingest": {"sources": [{"name": "s", "path": str(tmp_path / "a")}]}}).ingest
    moved = build_settings({"ingest": {"sources": [{"name": "s", "path": str(tmp_path / "b")}]}}).ingest
    renamed = build_settings({"ingest": {"sources": [{"name": "s2", "path": str(tmp_path / "a")}]}}).ingest
    with_ids = build_settings({"ingest": {"sources": [
        {"name": "s", "path": str(tmp_path / "a"), "id_field": "id"}]}}).ingest

    def ids(cfg):
        return sorted(r["doc_id"] for r in read_source(spark, cfg.sources[0], cfg).collect())

    first = ids(src)
    assert len(set(first)) == 3
    assert ids(moved) == first            # same files elsewhere: same ids
    assert set(ids(renamed)).isdisjoint(first)  # the source name is part of the id
    assert set(ids(with_ids)).isdisjoint(first)  # the source's own id replaces the position


def test_an_unreadable_file_is_quarantined_and_the_others_still_ingest(spark, tmp_path, write_jsonl):
    write_jsonl(tmp_path / "c" / "good.jsonl", [rec(i) for i in range(3)])
    whole = gzip.compress(("\n".join(rec(i, text="نص " * 50) for i in range(50)) + "\n").encode(), mtime=0)
    (tmp_path / "c" / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    ctx = _ctx(spark, tmp_path, [{"name": "s", "path": str(tmp_path / "c")}])
    counts = run(ctx)
    assert counts["documents_added"] == 3
    row = ctx.tables.read("quarantine").first()
    assert (row["reason"], row["source_file"], row["position"]) == (S.UNREADABLE_FILE, "cut.jsonl.gz", -1)
    assert row["error"]


def test_config_problems_are_clear_errors(spark, tmp_path, write_jsonl):
    with pytest.raises(IngestError, match="no ingest.sources"):
        run(_ctx(spark, tmp_path, []))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "f.csv").write_text("id,body\n1,x\n")
    with pytest.raises(IngestError, match="text_field 'text' not in the CSV header"):
        run(_ctx(spark, tmp_path, [{"name": "s", "path": str(tmp_path / "c")}]))
