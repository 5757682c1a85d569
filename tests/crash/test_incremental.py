"""Incremental by design: three batches ingested one after another, with curate and dedup run between them, end
with the same tables as the three ingested at once; between the steps, what a stage has not seen yet is pending
(never a mismatch), and every run counts exactly what it did."""

from __future__ import annotations

import pytest

from native_align.pipeline import run_stage
from native_align.runs import reconcile
from tests.crash.conftest import context, corpus_lines, crash_conf, table_rows, write_corpus

# slow (70 s: twelve stage runs); `bash scripts/test.sh -m slow tests/crash` runs it
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

# batch k: 4 new news documents (one repeats a document of an earlier batch: dedup must see across batches), one
# English line (rejected), one broken line (quarantined)
BATCHES = [corpus_lines(range(0, 4)), corpus_lines(range(4, 8), dup_of=1), corpus_lines(range(8, 12), dup_of=5)]
TABLES = ("documents", "quarantine", "ingest_files", "signals", "duplicates", "curated")


def test_three_batches_one_after_another_end_like_one_batch(spark, tmp_path):
    one = tmp_path / "one"
    for k, lines in enumerate(BATCHES):
        write_corpus(one / "corpus", f"batch-{k}.jsonl", lines)
    together = context(spark, crash_conf(one, one / "corpus"))
    for stage in ("ingest", "curate", "dedup"):
        run_stage(together, stage)
    assert reconcile(together).ok

    inc = tmp_path / "inc"
    ctx = context(spark, crash_conf(inc, inc / "corpus"))
    kept_before = 0
    for k, lines in enumerate(BATCHES):
        write_corpus(inc / "corpus", f"batch-{k}.jsonl", lines)
        docs, bad = len(lines) - 1, 1  # every line but the broken one is a document

        ingest = run_stage(ctx, "ingest")
        assert (ingest["files_read"], ingest["files_unchanged"]) == (1, k)
        assert (ingest["documents_added"], ingest["quarantined_added"], ingest["records_seen"]) == (docs, bad, len(lines))
        recon = reconcile(ctx)  # the new batch is pending for curate (and dedup), not a mismatch
        assert recon.ok, recon.render()
        assert recon.pending.get("curate") == docs and "pending curate" in recon.render()

        curate = run_stage(ctx, "curate")
        assert curate["scored"] == docs and curate["kept"] + curate["rejected"] == docs
        assert curate["rejected"] >= 1 and curate["signals_rows"] == recon.documents
        recon = reconcile(ctx)
        assert recon.ok and not recon.pending.get("curate"), recon.render()
        if k:
            assert recon.pending.get("dedup") == curate["kept"], recon.render()

        dedup = run_stage(ctx, "dedup")
        kept_before += curate["kept"]
        assert dedup["input_docs"] == kept_before
        recon = reconcile(ctx)
        assert recon.ok and not recon.pending, recon.render()
        assert dedup["curated"] == recon.kept and dedup["duplicates_removed"] == recon.duplicates
        assert dedup["duplicates_removed"] == k  # the copy of an earlier batch's document

    for table in TABLES:
        assert table_rows(ctx.tables, table) == table_rows(together.tables, table), table
    per_run = ctx.tables.read("runs").where("stage = 'ingest'").collect()
    assert sorted(r["counts"]["documents_added"] for r in per_run) == sorted(len(b) - 1 for b in BATCHES)
