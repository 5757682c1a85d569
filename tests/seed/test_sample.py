"""Seed sampling: determinism by hash, strategies, allocation, the stage's inputs and its missing-LM error."""

from __future__ import annotations

import pytest

from native_align.seed import sample, stage
from native_align.seed.config import SeedConfig
from tests.support.corpus import make_docs, write_curated


def test_allocate_shares_and_caps():
    assert sample.allocate({"a": 60, "b": 30, "c": 10}, 10) == {"a": 6, "b": 3, "c": 1}
    assert sample.allocate({"a": 100, "b": 1}, 10, "equal") == {"a": 9, "b": 1}  # b's leftover goes to a
    assert sample.allocate({"a": 2, "b": 3}, 50) == {"a": 2, "b": 3}
    assert sum(sample.allocate({"x": 7, "y": 7, "z": 7}, 10).values()) == 10


def test_strategies_are_deterministic_and_stratified(spark):
    docs = make_docs(30)
    df = spark.createDataFrame(docs)
    ids = lambda d: [r["doc_id"] for r in d.collect()]  # noqa: E731
    a = ids(sample.sample_random(df, 8, seed=7))
    b = ids(sample.sample_random(df.repartition(3), 8, seed=7))
    assert a == b and len(a) == 8
    assert a != ids(sample.sample_random(df, 8, seed=8))
    strat = sample.sample_stratified(df, 9, seed=7, by="source").collect()
    per = {}
    for r in strat:
        per[r["stratum"]] = per.get(r["stratum"], 0) + 1
    assert per == {"news": 3, "blogs": 3, "forums": 3}
    assert ids(sample.sample_stratified(df.repartition(2), 9, seed=7)) == [r["doc_id"] for r in strat]

    # perplexity: a crafted scorer (text length) makes the expected pick computable by hand
    scorer = lambda texts: [float(len(t)) for t in texts]  # noqa: E731
    pool = {r["doc_id"]: len(r["text"]) for r in sample.candidate_pool(df, 20, seed=7).collect()}
    high = sample.sample_perplexity(df, 5, 7, scorer, "high", pool=20).collect()
    assert {r["doc_id"] for r in high} == set(sorted(pool, key=lambda k: (-pool[k], k))[:5])
    assert all(r["doc_id"] in pool for r in high) and {r["stratum"] for r in high} == {"high"}
    low = sample.sample_perplexity(df, 5, 7, scorer, "low", pool=20).collect()
    assert max(r["perplexity"] for r in low) <= min(r["perplexity"] for r in high)
    spread = sample.sample_perplexity(df, 8, 7, scorer, "spread", pool=20, quantiles=4).collect()
    assert sorted(r["stratum"] for r in spread) == ["q1", "q1", "q2", "q2", "q3", "q3", "q4", "q4"]


def test_stage_falls_back_to_kept_documents_and_explains_missing_lm(ctx):
    docs = make_docs(10)
    spark = ctx.spark
    ctx.tables.overwrite("documents", spark.createDataFrame(
        [(d["doc_id"], d["source"], d["text"], d["content_hash"]) for d in docs],
        "doc_id string, source string, text string, content_hash string"))
    ctx.tables.overwrite("signals", spark.createDataFrame(
        [(d["doc_id"], i % 2 == 0) for i, d in enumerate(docs)], "doc_id string, keep boolean"))
    ctx.settings.seed = SeedConfig(size=100, min_chars=10, strategy="stratified")
    counts = stage.run(ctx)
    seed = ctx.tables.read("seed").collect()
    assert counts["seed_docs"] == 5 and {r["doc_id"] for r in seed} == {d["doc_id"] for d in docs[::2]}
    assert {r["strategy"] for r in seed} == {"stratified"} and all(r["perplexity"] is None for r in seed)

    write_curated(ctx, docs)
    ctx.settings.seed = SeedConfig(size=3, min_chars=10, strategy="perplexity", reference_lm="/nonexistent/model")
    with pytest.raises(stage.SeedError, match="reference LM"):
        stage.run(ctx)
