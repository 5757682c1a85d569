"""`native-align status`: per stage what is done and what is pending, counted from the tables."""

from __future__ import annotations

from native_align.runs import reconcile
from native_align.status import render, stage_rows
from tests.support.tables import write_tables


def _ids(tables, name: str) -> set[str]:
    return {r["doc_id"] for r in tables.read(name).select("doc_id").collect()}


def test_annotate_and_rewrite_rows_count_what_the_output_tables_hold(spark, ctx):
    t = ctx.tables
    write_tables(spark, t)
    rows = {stage: (done, pending) for stage, done, pending in stage_rows(ctx, reconcile(ctx))}

    seed = _ids(t, "seed")
    assert rows["annotate"] == ("", f"{len(seed)} seed documents")  # no seed_pairs yet: all pending
    curated, aligned = _ids(t, "curated"), _ids(t, "aligned")
    done, left = len(curated & aligned), len(curated - aligned)
    assert done > 0
    assert rows["rewrite"] == (f"{done} curated documents rewritten",
                               f"{left} curated documents (up to rewrite.limit)" if left else "")

    text, ok = render(ctx)
    assert ok and "locks: none held" in text and "check: " in text
