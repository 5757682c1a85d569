"""Survivor policies: best quality, longest, earliest, smallest id; doc_id breaks ties; method per member."""

from __future__ import annotations

import pytest

from native_align.dedup.survivors import duplicates_table, survivor_order


@pytest.fixture
def cluster(spark):
    comps = spark.createDataFrame([("x1", "x1"), ("x2", "x1"), ("x3", "x1"), ("x4", "x1"), ("y1", "y1")],
                                  "doc_id string, cluster_id string")
    docs = spark.createDataFrame([
        # doc_id, content_hash, quality, n_chars, date
        ("x1", "h1", 0.2, 100, "2015-07-03"),
        ("x2", "h2", 0.9, 50, "2015-07-02"),
        ("x3", "h3", None, 300, "2015-07-01"),
        ("x4", "h2", 0.9, 50, None),
        ("y1", "h9", 0.5, 10, "2015-07-01"),
    ], "doc_id string, content_hash string, quality_score double, n_chars long, date string")
    return comps, docs


@pytest.mark.parametrize("keys,survivor", [
    (["quality"], "x2"),            # 0.9 twice: tie broken by doc_id
    (["longest"], "x3"),
    (["earliest"], "x3"),
    (["smallest_id"], "x1"),
    (["quality", "earliest"], "x2"),
])
def test_policies(cluster, keys, survivor):
    comps, docs = cluster
    rows = {r["doc_id"]: r for r in duplicates_table(comps, docs, keys).collect()}
    assert "y1" not in rows  # singleton cluster: not a duplicate
    assert [d for d, r in rows.items() if r["is_survivor"]] == [survivor]
    assert all(r["duplicate_of"] == survivor for d, r in rows.items() if d != survivor)
    assert {r["cluster_size"] for r in rows.values()} == {4}


def test_method_is_exact_only_for_copies_of_the_survivor(cluster):
    comps, docs = cluster
    rows = {r["doc_id"]: r["method"] for r in duplicates_table(comps, docs, ["quality"]).collect()}
    assert rows == {"x1": "fuzzy", "x2": "fuzzy", "x3": "fuzzy", "x4": "exact"}


def test_unknown_key():
    with pytest.raises(ValueError):
        survivor_order(["shortest"])
