"""Connected components in Spark with large-star / small-star (Kiveris et al., "Connected Components in
MapReduce and Beyond", SoCC 2014), so clusters never have to fit on the driver.

Edges are kept as (src, dst) with src < dst. Both operations preserve connectivity and move every node's edges
towards smaller labels; the fixed point is a forest of stars whose centers are the smallest doc_id of each
component, which is therefore the deterministic cluster id. Each round's edges are checkpointed so the lineage
(and the query plan) stays bounded however many rounds a long chain needs.

Why a driver path too: every round is a handful of small Spark jobs, and on a graph of a few hundred thousand edges
their scheduling (not the data) is the cost: ~10 s of a 70 s dedup of 300k documents. A graph of at most
``local_max_edges`` edges is therefore collected as Arrow and labelled by scipy's connected components on the
driver (milliseconds), with the same result: each node labelled by its component's smallest doc_id.
"""

from __future__ import annotations

import logging

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align.dedup.ranks import doc_ranks
from native_align.dedup.schema import COMPONENTS_SCHEMA

log = logging.getLogger(__name__)


def large_star(edges: DataFrame) -> DataFrame:
    """Connect every neighbor larger than a node to the smallest label of the node's neighborhood."""
    both = edges.select(F.col("src").alias("a"), F.col("dst").alias("b")).unionByName(
        edges.select(F.col("dst").alias("a"), F.col("src").alias("b")))
    m = both.groupBy("a").agg(F.least(F.col("a"), F.min("b")).alias("m"))
    return (both.join(m, "a").where(F.col("b") > F.col("a"))
            .select(F.col("m").alias("src"), F.col("b").alias("dst"))
            .distinct())


def small_star(edges: DataFrame) -> DataFrame:
    """Connect a node and its smaller neighbors to the smallest of those neighbors."""
    m = edges.groupBy("dst").agg(F.min("src").alias("m"))
    moved = (edges.join(m, "dst").where(F.col("src") != F.col("m"))
             .select(F.col("m").alias("src"), F.col("src").alias("dst")))
    own = m.select(F.col("m").alias("src"), F.col("dst"))
    return moved.unionByName(own).distinct()


def is_star_forest(edges: DataFrame) -> bool:
    """True when every node with a smaller neighbor has exactly one neighbor, and that neighbor has none smaller:
    then each component is one star around its minimum (the fixed point of both operations)."""
    roles = edges.select(F.col("dst").alias("node"), F.lit(1).alias("up"), F.lit(0).alias("down")).unionByName(
        edges.select(F.col("src").alias("node"), F.lit(0).alias("up"), F.lit(1).alias("down")))
    bad = (roles.groupBy("node").agg(F.sum("up").alias("up"), F.sum("down").alias("down"))
           .where((F.col("up") >= 2) | ((F.col("up") >= 1) & (F.col("down") >= 1))))
    return bad.limit(1).count() == 0


def _cut_lineage(df: DataFrame, mode: str) -> DataFrame:
    if mode == "local":
        return df.localCheckpoint(eager=True)
    if mode == "reliable":
        return df.checkpoint(eager=True)
    return df


def component_labels(src: pa.Array, dst: pa.Array) -> pa.Table:
    """(doc_id, cluster_id) of every node of the undirected graph ``src``-``dst`` (string arrays), cluster_id the
    smallest doc_id of the node's component in byte order (Spark's string order): the driver path."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as scipy_components

    nodes, index = doc_ranks(pa.concat_arrays([src, dst]))  # node i < node j <=> doc_id i < doc_id j
    n, m = len(nodes), len(src)
    graph = coo_matrix((np.ones(m, dtype=np.int8), (index[:m], index[m:])), shape=(n, n))
    _, label = scipy_components(graph, directed=False)
    smallest = np.full(label.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, label, np.arange(n))
    return pa.table({"doc_id": nodes, "cluster_id": nodes.take(pa.array(smallest[label]))})


def connected_components(edges: DataFrame, max_iterations: int = 64, checkpoint: str = "local",
                         local_max_edges: int = 0) -> DataFrame:
    """(src, dst) edges -> (doc_id, cluster_id) for every node that has an edge; cluster_id = component minimum.

    ``checkpoint="reliable"`` needs ``spark.sparkContext.setCheckpointDir`` (the stage sets it from
    ``tables.checkpoint_dir``). Graphs of at most ``local_max_edges`` distinct edges are labelled on the driver
    (:func:`component_labels`); 0 always takes the Spark rounds.
    """
    e = edges.select(F.least("src", "dst").alias("src"), F.greatest("src", "dst").alias("dst")) \
        .where(F.col("src") != F.col("dst")).distinct()
    e = _cut_lineage(e, checkpoint)
    if local_max_edges > 0:
        n_edges = e.count()
        if n_edges <= local_max_edges:
            table = e.toArrow()
            labels = component_labels(table.column("src").combine_chunks(), table.column("dst").combine_chunks())
            log.info("connected components of %d edges labelled on the driver (%d nodes)", n_edges, len(labels))
            return e.sparkSession.createDataFrame(labels, COMPONENTS_SCHEMA)
        log.info("connected components: %d edges > local_max_edges=%d, large/small-star rounds in Spark",
                 n_edges, local_max_edges)
    rounds = 0
    while not is_star_forest(e):
        if rounds >= max_iterations:
            raise RuntimeError(f"connected components did not converge in {max_iterations} rounds")
        e = _cut_lineage(small_star(large_star(e)), checkpoint)
        rounds += 1
    log.info("connected components converged after %d large/small-star rounds", rounds)
    return (e.select(F.col("dst").alias("doc_id"), F.col("src").alias("cluster_id"))
            .unionByName(e.select(F.col("src").alias("doc_id"), F.col("src").alias("cluster_id")))
            .distinct())
