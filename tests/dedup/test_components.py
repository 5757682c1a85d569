"""Large-star / small-star connected components against a union-find computed in the test."""

from __future__ import annotations

import random

from native_align.dedup.components import connected_components, is_star_forest
from native_align.evaluation.dedup import union_find as _union_find


def _run(spark, edges, checkpoint="local"):
    df = spark.createDataFrame(edges, "src string, dst string")
    return {r["doc_id"]: r["cluster_id"] for r in connected_components(df, checkpoint=checkpoint).collect()}


def test_long_chain_is_one_component(spark):
    # A path whose ids alternate far apart: the worst case for naive min-label propagation.
    ids = [f"d{i:03d}" for i in range(24)]
    random.Random(0).shuffle(ids)
    edges = list(zip(ids, ids[1:]))
    got = _run(spark, edges)
    assert set(got) == set(ids) and set(got.values()) == {min(ids)}


def test_random_graph_matches_union_find(spark, tmp_path):
    spark.sparkContext.setCheckpointDir(str(tmp_path / "ckpt"))
    rng = random.Random(7)
    nodes = [f"n{i:04d}" for i in range(120)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(90)]
    edges = [(a, b) for a, b in edges if a != b] + [("n0001", "n0001")]  # self loop ignored
    want = _union_find([(a, b) for a, b in edges if a != b])
    assert _run(spark, edges, "reliable") == want


def test_star_forest_check(spark):
    star = spark.createDataFrame([("a", "b"), ("a", "c")], "src string, dst string")
    path = spark.createDataFrame([("a", "b"), ("b", "c")], "src string, dst string")
    two_roots = spark.createDataFrame([("a", "c"), ("b", "c")], "src string, dst string")
    assert is_star_forest(star)
    assert not is_star_forest(path)
    assert not is_star_forest(two_roots)


def test_driver_path_equals_the_spark_rounds_and_union_find(spark):
    rng = random.Random(11)
    nodes = [f"n{i:04d}" for i in range(300)] + ["Zeta", "alpha", "بيت", "ٮ"]  # byte order: "Z" < "a" < "n" < Arabic
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(260)]
    edges = [(a, b) for a, b in edges if a != b] + [("Zeta", "alpha"), ("بيت", "alpha"), ("ٮ", "بيت")]
    df = spark.createDataFrame(edges, "src string, dst string")
    rounds = {r["doc_id"]: r["cluster_id"] for r in connected_components(df, local_max_edges=0).collect()}
    driver = {r["doc_id"]: r["cluster_id"] for r in connected_components(df, local_max_edges=10_000).collect()}
    assert driver == rounds == _union_find(edges)
    assert driver["ٮ"] == "Zeta"  # the component's smallest doc_id in Spark's (byte) order
    too_big = {r["doc_id"]: r["cluster_id"] for r in connected_components(df, local_max_edges=10).collect()}
    assert too_big == rounds  # over the limit: the Spark rounds


def test_component_labels_without_spark():
    import pyarrow as pa

    from native_align.dedup.components import component_labels

    got = component_labels(pa.array(["b", "d", "c"]), pa.array(["a", "e", "d"])).to_pylist()
    assert {r["doc_id"]: r["cluster_id"] for r in got} == {"a": "a", "b": "a", "c": "c", "d": "c", "e": "c"}
    assert component_labels(pa.array([], pa.string()), pa.array([], pa.string())).num_rows == 0
