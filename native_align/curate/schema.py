"""Output schema of the curate stage: the `signals` table (one row per document of `documents`)."""

from __future__ import annotations

import pyarrow as pa
from pyspark.sql.types import (ArrayType, BooleanType, DataType, DoubleType, LongType, StringType, StructField,
                               StructType)

from native_align.curate.signals import (ArabicScript, C4Quality, FineWebQuality, GopherQuality, GopherRepetition,
                                         Lexicon)

FAMILIES = (GopherQuality, GopherRepetition, C4Quality, FineWebQuality, ArabicScript, Lexicon)

_SPARK_TYPES: dict[pa.DataType, DataType] = {pa.int64(): LongType(), pa.float64(): DoubleType(),
                                             pa.bool_(): BooleanType()}

LID_COLUMNS: dict[str, pa.DataType] = {
    "lang": pa.string(),  # fastText's top-1 label, "__label__" stripped
    "lang_score": pa.float64(),  # summed probability of the Arabic labels among the top k, in [0, 1]
    "is_arabic": pa.bool_(),  # lang_score >= lang_threshold and non_arabic_letter_ratio <= its maximum
    "non_arabic_letter_ratio": pa.float64(),
    "n_chars": pa.int64(),
}

SIGNAL_COLUMNS: dict[str, pa.DataType] = {name: t for fam in FAMILIES for name, t in fam.COLUMNS.items()}

SIGNALS_ARROW_SCHEMA = pa.schema(
    [pa.field("doc_id", pa.string(), nullable=False), pa.field("source", pa.string()),
     pa.field("content_hash", pa.string())]
    + [pa.field(n, t) for n, t in LID_COLUMNS.items()]
    + [pa.field(n, t) for n, t in SIGNAL_COLUMNS.items()]
    + [pa.field("quality_score", pa.float64()), pa.field("keep", pa.bool_(), nullable=False),
       pa.field("reject_reasons", pa.list_(pa.string())), pa.field("run_id", pa.string())]
)


def _spark_field(f: pa.Field) -> StructField:
    if f.type == pa.string():
        t: DataType = StringType()
    elif pa.types.is_list(f.type):
        t = ArrayType(StringType(), True)
    else:
        t = _SPARK_TYPES[f.type]
    return StructField(f.name, t, f.nullable)


SIGNALS_SCHEMA = StructType([_spark_field(f) for f in SIGNALS_ARROW_SCHEMA])
