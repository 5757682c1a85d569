"""Exact groups by content_hash: copies point at the smallest doc_id; a missing hash falls back to the text."""

from __future__ import annotations

from native_align.dedup.exact import exact_edges, exact_groups, representatives


def test_groups_edges_representatives(spark):
    docs = spark.createDataFrame([("b", "h1", "x"), ("a", "h1", "x"), ("c", "h2", "y"), ("d", None, "z"),
                                  ("e", None, "z")], "doc_id string, content_hash string, text string")
    groups = {r["doc_id"]: r["rep_id"] for r in exact_groups(docs).collect()}
    assert groups == {"a": "a", "b": "a", "c": "c", "d": "d", "e": "d"}
    edges = {tuple(r) for r in exact_edges(exact_groups(docs)).collect()}
    assert edges == {("a", "b"), ("d", "e")}
    reps = {r["doc_id"] for r in representatives(docs, exact_groups(docs)).collect()}
    assert reps == {"a", "c", "d"}
