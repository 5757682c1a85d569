"""The pairs stage in Spark: `curated` -> `noise_pairs`, deterministic, capped, split by document."""

from __future__ import annotations

import json

from native_align.pairs import stage
from native_align.pairs.schema import NOISE_PAIRS_SCHEMA
from tests.support.corpus import make_docs, write_curated


def _rows(ctx):
    """pair id -> row, without the columns that name the run (time, run id)."""
    return {r["pair_id"]: {k: v for k, v in r.asDict().items() if k not in ("annotated_at", "run_id")}
            for r in ctx.tables.read("noise_pairs").collect()}


def test_pairs_from_curated_are_deterministic_split_and_recorded(ctx):
    write_curated(ctx, make_docs(40, seed=3))
    ctx.settings.pairs.heldout_fraction = 0.3
    ctx.settings.pairs.chunk.min_tokens = 20
    counts = stage.run(ctx)
    rows = _rows(ctx)
    assert counts["pairs"] == len(rows) > 40
    assert [f.name for f in ctx.tables.read("noise_pairs").schema] == [f.name for f in NOISE_PAIRS_SCHEMA]
    by_doc: dict[str, set[str]] = {}
    for r in rows.values():
        by_doc.setdefault(r["doc_id"], set()).add(r["split"])
        assert r["pair_id"].startswith(r["doc_id"] + "#") and r["status"] == "ok" and r["origin"] == "noise"
        injections = json.loads(r["injections"])
        if r["templates"] == "clean":
            assert r["original"] == r["rewrite"] and not injections
        else:
            assert r["original"] != r["rewrite"] and injections
            assert all(i["text"] in r["original"] for i in injections)
            assert r["split"] == "heldout" or r["templates"] == "train"
            assert all(i["held_out"] == (r["templates"] == "heldout") for i in injections)
    assert all(len(s) == 1 for s in by_doc.values())  # a document's chunks never straddle the split
    assert {r["split"] for r in rows.values()} == {"train", "heldout"}
    assert counts["split.train"] + counts["split.heldout"] == counts["pairs"]

    stage.run(ctx)
    assert _rows(ctx) == rows  # a pure function of `curated` and the settings


def test_caps_take_a_stable_subset(ctx):
    write_curated(ctx, make_docs(40, seed=3))
    ctx.settings.pairs.chunk.min_tokens = 20
    ctx.settings.pairs.max_pairs, ctx.settings.pairs.max_heldout_pairs = 7, 2
    counts = stage.run(ctx)
    first = set(_rows(ctx))
    assert counts["split.train"] == 7 and counts.get("split.heldout", 0) <= 2
    stage.run(ctx)
    assert set(_rows(ctx)) == first
