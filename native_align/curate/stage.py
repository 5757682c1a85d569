"""The curate stage: language ID + quality signals + keep/reject_reasons for every document, in one Arrow pass.

``curate(documents, cfg)`` is the ``DataFrame -> DataFrame`` transformation (``mapInArrow``: per Arrow batch one
batched fastText call and one vectorized pass per signal family, no row-at-a-time Python UDF). ``score_batch`` is
the kernel it runs, usable directly on Arrow data. ``run(ctx)`` reads `documents` and writes `signals`.

Nothing is dropped: every document gets a row; a rejected one carries the names of every rule it failed
(``empty_text`` for a null/blank text, ``lid_*`` for language, then the families' rule names).
"""

from __future__ import annotations

import logging
from typing import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align.context import Context
from native_align.counts import ordered, outcome_counts, top_reasons
from native_align.curate.batch import TextBatch
from native_align.curate.config import CurateConfig
from native_align.faults import checkpoint
from native_align.text.lid import LanguageIdentifier
from native_align.curate.schema import SIGNALS_ARROW_SCHEMA, SIGNALS_SCHEMA
from native_align.curate.signals.base import Rule

log = logging.getLogger(__name__)

INPUT_COLUMNS = ("doc_id", "source", "content_hash", "text")


def lid_rules(cfg: CurateConfig) -> list[Rule]:
    return [Rule("lid_not_arabic", "lang_score", "min", cfg.lang_threshold),
            Rule("lid_non_arabic_letters", "non_arabic_letter_ratio", "max", cfg.max_non_arabic_letter_ratio)]


def _reasons_array(names: list[str], fails: np.ndarray) -> pa.Array:
    """list<string> per row from a (rules x rows) failure matrix, in rule order."""
    rows, rules = np.nonzero(fails.T)
    offsets = np.zeros(fails.shape[1] + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=fails.shape[1]), out=offsets[1:])
    values = pa.array(np.asarray(names, dtype=object)[rules] if len(rules) else [], type=pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def score_batch(batch: pa.RecordBatch | pa.Table, cfg: CurateConfig, run_id: str | None = None) -> pa.RecordBatch:
    """Signals, decision and reasons for one batch with columns doc_id, source, content_hash, text."""
    missing = [c for c in INPUT_COLUMNS if c not in batch.schema.names]
    if missing:
        raise ValueError(f"curate input lacks column(s) {missing}; it needs {list(INPUT_COLUMNS)} (the `documents` "
                         f"table)")
    b = TextBatch(batch.column("text"), (cfg.non_arabic_letters, cfg.dialect_letters, cfg.arabic_keyboard_letters))
    # the letter counts come from the batch's shared class bytes (one lookup for LID and every family)
    lid = LanguageIdentifier.from_config(cfg).decide(b.texts, letters=b.letters)
    cols: dict[str, np.ndarray] = {"lang_score": lid.lang_score, "non_arabic_letter_ratio": lid.non_arabic_letter_ratio}
    for family in cfg.families():
        cols.update(family.compute(b))

    empty = b.empty
    quality_rules = [r for fam in cfg.families() for r in fam.rules() if r.threshold is not None]
    all_rules = [r for r in lid_rules(cfg) if r.threshold is not None] + quality_rules
    fails = np.zeros((len(all_rules) + 1, b.n), dtype=bool)
    fails[0] = empty
    for i, rule in enumerate(all_rules, start=1):
        fails[i] = rule.fails(np.asarray(cols[rule.column], dtype=np.float64)) & ~empty
    if quality_rules:
        headroom = np.mean([r.headroom(np.asarray(cols[r.column], dtype=np.float64)) for r in quality_rules], axis=0)
    else:
        headroom = np.ones(b.n)
    quality = np.where(empty, 0.0, headroom)
    keep = ~fails.any(axis=0)

    arrays: dict[str, pa.Array] = {
        "doc_id": batch.column("doc_id"), "source": batch.column("source"),
        "content_hash": batch.column("content_hash"),
        "lang": pa.array(lid.lang, type=pa.string()),
        "is_arabic": pa.array(lid.is_arabic),
        "n_chars": pa.array(b.n_chars),
        "quality_score": pa.array(quality),
        "keep": pa.array(keep),
        "reject_reasons": _reasons_array(["empty_text"] + [r.name for r in all_rules], fails),
        "run_id": pa.array([run_id] * b.n, type=pa.string()),
    }
    out = []
    for field in SIGNALS_ARROW_SCHEMA:
        arr = arrays[field.name] if field.name in arrays else pa.array(cols[field.name])
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        out.append(arr.cast(field.type) if arr.type != field.type else arr)
    return pa.RecordBatch.from_arrays(out, schema=SIGNALS_ARROW_SCHEMA)


def score_batches(batches: Iterator[pa.RecordBatch], cfg: CurateConfig,
                  run_id: str | None = None) -> Iterator[pa.RecordBatch]:
    """``score_batch`` over a stream, re-sliced to ``cfg.batch_size`` rows (the mapInArrow body)."""
    for batch in batches:
        for start in range(0, batch.num_rows, cfg.batch_size):
            yield score_batch(batch.slice(start, cfg.batch_size), cfg, run_id)


def curate(documents: DataFrame, cfg: CurateConfig | None = None, run_id: str | None = None) -> DataFrame:
    """`documents`-shaped rows -> `signals` rows (schema ``SIGNALS_SCHEMA``), one per input row."""
    cfg = cfg or CurateConfig()
    missing = [c for c in INPUT_COLUMNS if c not in documents.columns]
    if missing:
        raise ValueError(f"curate input lacks column(s) {missing}; it needs {list(INPUT_COLUMNS)}")
    cfg = cfg.model_copy()  # a plain picklable snapshot travels to the workers

    def _run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        checkpoint("curate:during_commit")  # runs in the write job's tasks
        yield from score_batches(batches, cfg, run_id)

    cols = [F.col(c).cast("string").alias(c) for c in INPUT_COLUMNS]
    return documents.select(*cols).mapInArrow(_run, SIGNALS_SCHEMA)


def committed_counts(ctx: Context, run_id: str) -> dict[str, int]:
    """What run ``run_id`` committed to `signals`: rows scored, kept, rejected, per reason (from the table)."""
    signals = ctx.tables.read("signals")
    mine = signals.where(F.col("run_id") == run_id)
    outcomes = outcome_counts(mine, "keep", "reject_reasons", labels={True: "kept", False: "rejected"})
    outcomes["scored"] = outcomes.get("kept", 0) + outcomes.get("rejected", 0)
    outcomes["signals_rows"] = signals.count()
    return ordered(outcomes, first=("scored", "kept", "rejected", "signals_rows"))


def run(ctx: Context) -> dict[str, int]:
    """Score the documents `signals` lacks (all of them with ``write_mode: all``) in one commit; the counts are
    those of the rows this run committed, including every reject reason as ``reason.<name>``."""
    cfg = ctx.settings.curate
    tables = ctx.tables
    docs = tables.read("documents")
    rescore = cfg.write_mode == "all" or not tables.exists("signals")
    if not rescore:
        docs = docs.join(tables.read("signals").select("doc_id"), "doc_id", "left_anti")
    signals = curate(docs, cfg, ctx.run_id)
    checkpoint("curate:before_commit")
    if rescore:
        tables.overwrite("signals", signals)
    else:
        tables.insert_new("signals", signals, ["doc_id"])
    checkpoint("curate:after_commit")
    counts = committed_counts(ctx, ctx.run_id)
    log.info("curate: scored %s, kept %s, rejected %s; top reasons: %s", f"{counts['scored']:,}",
             f"{counts['kept']:,}", f"{counts['rejected']:,}", top_reasons(counts))
    return counts
