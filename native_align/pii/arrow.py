"""Arrow adapter for Spark ``mapInArrow``: one string column in, redacted column + per-kind counts + drop out."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import pyarrow as pa

from native_align.pii.kinds import KINDS
from native_align.pii.redact import Policy, as_policy, redact_batch


def redact_arrow(texts: pa.Array | pa.ChunkedArray, policy: Policy | Mapping[str, str] | Any | None = None,
                 prefix: str = "pii_") -> dict[str, pa.Array]:
    """``{"text": redacted strings, "<prefix><kind>": int32 counts ..., "<prefix>drop": bool}`` for one column."""
    result = redact_batch(texts.to_pylist(), as_policy(policy))
    out: dict[str, pa.Array] = {"text": pa.array(result.texts, type=pa.string())}
    for kind in KINDS:
        out[prefix + kind] = pa.array(result.counts[kind], type=pa.int32())
    out[prefix + "drop"] = pa.array(result.drop, type=pa.bool_())
    return out


def redact_record_batch(batch: pa.RecordBatch, column: str, policy: Policy | Mapping[str, str] | Any | None = None,
                        prefix: str = "pii_") -> pa.RecordBatch:
    """``batch`` with ``column`` redacted in place and the count/drop columns appended (the mapInArrow body)."""
    cols = redact_arrow(batch.column(column), policy, prefix)
    names = list(batch.schema.names)
    arrays = [cols["text"] if n == column else batch.column(n) for n in names]
    extra = [n for n in cols if n != "text"]
    return pa.RecordBatch.from_arrays(arrays + [cols[n] for n in extra], names=names + extra)


def redact_batches(batches: Iterator[pa.RecordBatch], column: str = "text",
                   policy: Policy | Mapping[str, str] | Any | None = None,
                   prefix: str = "pii_") -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: ``df.mapInArrow(partial(redact_batches, column="text", policy=policy), schema)``
    with the input schema plus ``<prefix><kind>`` int32 columns and ``<prefix>drop`` boolean. The policy is compiled
    once per task."""
    pol = as_policy(policy)
    for batch in batches:
        yield redact_record_batch(batch, column, pol, prefix)
