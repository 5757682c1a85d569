"""Dense integer ranks of doc_id strings, in Spark's string order (byte order), for numpy work on the driver and
in Arrow workers: rank i < rank j exactly when doc_id i < doc_id j, so a minimum of ranks is the smallest doc_id."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def doc_ranks(ids: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(the distinct ids sorted, the rank of every id of ``ids`` in them as int64)."""
    distinct = pc.unique(ids)
    distinct = distinct.take(pc.sort_indices(distinct))
    return distinct, pc.index_in(ids, value_set=distinct).to_numpy().astype(np.int64)
