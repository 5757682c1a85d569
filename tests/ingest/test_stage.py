"""The ingest runner end to end on the packaged sample corpus and on broken inputs, with real Delta tables."""

from __future__ import annotations

import gzip
import re
import shutil
import zlib

import pytest
from pyspark.sql import functions as F

from native_align.settings import build_settings
from native_align.context import Context
from native_align.ingest import schema as S
from native_align.ingest.sources import IngestError
from native_align.ingest.stage import read_source, run
from native_align.runs import reconcile
from native_align.text.normalize import content_hash
from tests.ingest.conftest import rec

SAMPLE = {"name": "sample", "path": "package://sample", "id_field": "id", "url_field": "url",
          "title_field": "title", "date_field": "date"}

# What scripts/make_sample_corpus.py plants in the sample (see its `broken` list, forum.csv and pages/).
SAMPLE_QUARANTINE = {S.INVALID_JSON: 3, S.MISSING_TEXT: 2, S.EMPTY_TEXT: 3, S.EMPTY_FILE: 1, S.NON_STRING_TEXT: 2,
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

    # the ledger: what each file yielded, equal to the rows per file in the tables
    ledger = {r["source_file"]: (r["documents"], r["quarantined"]) for r in ctx.tables.read("ingest_files").collect()}
    assert len(ledger) == counts["files_read"] == 10 and ledger["pages/page_05.txt"] == (0, 1)
    assert sum(d for d, _ in ledger.values()) == n_docs and sum(q for _, q in ledger.values()) == n_quar

    again = run(ctx.new_run())  # every file is in the ledger with its size: nothing is read again
    assert again["documents_added"] == 0 and again["quarantined_added"] == 0
    assert (again["files_read"], again["files_unchanged"], again["records_seen"]) == (0, 10, 0)
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


def _cut_gzip(records: list[str], cut_after: int) -> bytes:
    """A gzip stream of ``records`` cut a little after record ``cut_after`` (a full flush there makes the
    records before the cut decodable whatever the compressor buffered)."""
    z = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = z.compress(("\n".join(records[:cut_after]) + "\n").encode()) + z.flush(zlib.Z_FULL_FLUSH)
    tail = z.compress(("\n".join(records[cut_after:]) + "\n").encode()) + z.flush()
    return head + tail[: len(tail) // 3]


def test_a_truncated_gzip_keeps_its_records_and_quarantines_the_cut(spark, tmp_path, write_jsonl):
    write_jsonl(tmp_path / "c" / "good.jsonl", [rec(i) for i in range(3)])
    records = [rec(100 + i, text="نص عربي " * 20 + str(i)) for i in range(100)]
    (tmp_path / "c" / "cut.jsonl.gz").write_bytes(_cut_gzip(records, 60))
    ctx = _ctx(spark, tmp_path, [{"name": "s", "path": str(tmp_path / "c"), "id_field": "id"}])
    counts = run(ctx)
    from_cut = ctx.tables.read("documents").where("source_file = 'cut.jsonl.gz'").count()
    assert 59 <= from_cut < 100 and counts["documents_added"] == 3 + from_cut
    quar = ctx.tables.read("quarantine").collect()
    assert len(quar) == 1 and counts["quarantined.truncated_file"] == 1
    row = quar[0]
    assert (row["reason"], row["source_file"], row["position"]) == (S.TRUNCATED_FILE, "cut.jsonl.gz", from_cut)
    assert row["error"].startswith("cut.jsonl.gz: truncated gzip stream after ") and "EOFError" in row["error"]
    assert reconcile(ctx).ok


def test_an_unreadable_file_names_the_file_and_the_cause(spark, tmp_path, write_jsonl):
    write_jsonl(tmp_path / "c" / "good.jsonl", [rec(i) for i in range(3)])
    (tmp_path / "c" / "bad.parquet").write_bytes(b"PAR1 this is not parquet at all")
    ctx = _ctx(spark, tmp_path, [{"name": "s", "path": str(tmp_path / "c")}])
    assert run(ctx)["documents_added"] == 3
    row = ctx.tables.read("quarantine").first()
    assert (row["reason"], row["source_file"], row["position"]) == (S.UNREADABLE_FILE, "bad.parquet", -1)
    assert row["error"].startswith("bad.parquet: ") and "Parquet" in row["error"]
    assert "An error occurred while calling" not in row["error"] and not re.search(r"\bo\d+\.", row["error"])


def test_empty_files_are_one_row_each_whatever_the_format(spark, tmp_path, write_jsonl):
    c = tmp_path / "c"
    write_jsonl(c / "good.jsonl", [rec(0)])
    for name in ("a.jsonl", "b.txt", "c.csv", "d.parquet"):
        (c / name).write_bytes(b"")
    (c / "e.jsonl.gz").write_bytes(gzip.compress(b"", mtime=0))   # not 0 bytes, but no record in it
    (c / "f.csv").write_text("id,text\n", encoding="utf-8")       # a header and no row
    ctx = _ctx(spark, tmp_path, [{"name": "s", "path": str(c)}])
    counts = run(ctx)
    rows = {r["source_file"]: r for r in ctx.tables.read("quarantine").collect()}
    assert set(rows) == {"a.jsonl", "b.txt", "c.csv", "d.parquet", "e.jsonl.gz", "f.csv"}
    assert {r["reason"] for r in rows.values()} == {S.EMPTY_FILE} and {r["position"] for r in rows.values()} == {-1}
    assert counts["quarantined.empty_file"] == 6 and counts["documents_added"] == 1
    assert reconcile(ctx).ok


def test_a_missing_source_path_stops_the_run_before_anything_is_written(spark, tmp_path, write_jsonl):
    write_jsonl(tmp_path / "c" / "good.jsonl", [rec(0)])
    ctx = _ctx(spark, tmp_path, [{"name": "ok", "path": str(tmp_path / "c")},
                                 {"name": "gone", "path": str(tmp_path / "nope")}])
    with pytest.raises(IngestError, match="source path does not exist: .*nope"):
        run(ctx)
    assert not ctx.tables.exists("documents")


def test_a_run_that_died_between_its_commits_is_finished_by_the_next(spark, tmp_path, write_jsonl):
    """Rows without a ledger entry (the run died after `documents`): pending for ingest, never a mismatch; the
    next run reads that file again, adds nothing twice and writes its entry."""
    write_jsonl(tmp_path / "c" / "a.jsonl", [rec(i) for i in range(4)] + ["{broken"])
    ctx = _ctx(spark, tmp_path, [{"name": "s", "path": str(tmp_path / "c")}])
    run(ctx)
    ctx.tables.delta("ingest_files").delete("source_file = 'a.jsonl'")
    ctx.tables.delta("quarantine").delete("source_file = 'a.jsonl'")
    recon = reconcile(ctx)
    assert recon.ok and recon.pending == {"ingest": 1, "curate": 4}, recon.render()
    again = run(ctx.new_run())
    assert (again["files_read"], again["documents_added"], again["quarantined_added"]) == (1, 0, 1)
    recon = reconcile(ctx)
    assert recon.ok and "ingest" not in recon.pending, recon.render()


def test_config_problems_are_clear_errors(spark, tmp_path, write_jsonl):
    with pytest.raises(IngestError, match="no ingest.sources"):
        run(_ctx(spark, tmp_path, []))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "f.csv").write_text("id,body\n1,x\n")
    with pytest.raises(IngestError, match="text_field 'text' not in the CSV header"):
        run(_ctx(spark, tmp_path, [{"name": "s", "path": str(tmp_path / "c")}]))
