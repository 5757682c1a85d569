"""``native-align export``: the training mix (original / aligned / hybrid), shuffled and written in parallel.

The paper trains on a mix of original and aligned text; which mix is best is an experiment, so the export must be
reproducible bit for bit: the per-document choice, the partition and the order come from SHA-256 of (seed, doc_id)
(:mod:`~native_align.export.mix`), and gzip headers carry no timestamp.

Nothing at corpus scale passes through the driver. The driver runs one aggregate (counts and raw bytes), compresses
a bounded sample to size the partitions (:mod:`~native_align.export.sizing`), then every partition's executor
writes its own shards straight to ``export.output_dir`` (:mod:`~native_align.export.shards`, any location of
:mod:`native_align.storage`) and returns one small row per shard; the driver assembles the manifest from those rows
and writes it last (:mod:`~native_align.export.manifest`).

Only `aligned` rows with status ``ok`` count as aligned; a document that should be aligned but has no ok rewrite
falls back to its original text and is counted (``fallback_to_original``) in the manifest.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from native_align import faults, storage
from native_align.context import Context
from native_align.export import manifest as mf
from native_align.export.config import ExportConfig
from native_align.export.manifest import MANIFEST, read_shards
from native_align.export.mix import export_fields, mix, shuffle, totals, unit_hash, unit_hash_py
from native_align.export.shards import PartitionWriter, ShardSpec, process_id, result_spark_schema
from native_align.export.sizing import measure_ratio, plan_partitions, sample_records
from native_align.export.tokens import token_label
from native_align.rewrite.aligned import select_aligned

__all__ = ["MANIFEST", "export", "mix", "read_shards", "run", "shuffle", "unit_hash", "unit_hash_py"]

log = logging.getLogger(__name__)


def _read_pinned(ctx, name: str) -> tuple[Any, int | None]:
    """The table at its current version (path mode), so the aggregate and the write read the same snapshot."""
    if ctx.tables.cfg.mode != "path":
        return ctx.tables.read(name), None
    version = ctx.tables.version(name)
    return ctx.tables.read(name, version=version), version


def _tokenizer(path: str | None) -> str | None:
    """A local tokenizer path made absolute (executors do not share the driver's cwd); hub names as given."""
    return str(Path(path).resolve()) if path and Path(path).exists() else path


def export(ctx, cfg: ExportConfig | None = None) -> dict[str, Any]:
    """Mix, shuffle, write shards (on the executors) and then manifest.json to ``cfg.output_dir``; the manifest."""
    cfg = cfg or ctx.settings.export
    if not ctx.tables.exists("curated"):
        raise FileNotFoundError("export needs the `curated` table: run ingest, curate and dedup first")
    out = storage.absolute(cfg.output_dir)
    curated, versions = _read_pinned(ctx, "curated")
    table_versions = {"curated": versions} if versions is not None else {}
    aligned = None
    if cfg.mix != "original" and ctx.tables.exists("aligned"):
        raw_aligned, v = _read_pinned(ctx, "aligned")
        if v is not None:
            table_versions["aligned"] = v
        aligned = select_aligned(raw_aligned, cfg.aligned_model, cfg.aligned_prompt_version)
    fields = export_fields(curated, cfg.fields)
    columns = ["doc_id", "text", "variant", *fields]
    mixed = mix(curated, aligned, cfg.mix, cfg.aligned_ratio, cfg.seed, fields)

    counts = totals(mixed, columns)
    ratio = measure_ratio(sample_records(curated, fields, cfg.size_sample_docs), cfg.format, cfg.shard_bytes)
    partitions = cfg.partitions or plan_partitions(counts["raw_bytes"], ratio, cfg.shard_bytes)
    spec = ShardSpec(out_dir=out, fmt=cfg.format, shard_bytes=cfg.shard_bytes,
                     tokenizer=_tokenizer(cfg.tokenizer), ratio=ratio)
    log.info("export: %d documents, %d raw bytes, ratio %.2f -> %d partitions -> %s",
             counts["documents"], counts["raw_bytes"], ratio, partitions, out)

    faults.checkpoint("export:before_write")
    mf.begin(out)
    written = shuffle(mixed.select(*columns), cfg.seed, partitions) \
        .mapInArrow(PartitionWriter(spec), result_spark_schema()).collect()  # one row per shard
    shards = mf.shard_entries([r.asDict() for r in written])
    documents = sum(s["documents"] for s in shards)
    if documents != counts["documents"]:
        raise RuntimeError(f"export wrote {documents:,} documents but the mix holds {counts['documents']:,}; "
                           "no manifest written")
    stale = mf.remove_stale(out, {s["file"] for s in shards})

    variants = {"original": sum(s["variants"]["original"] for s in shards),
                "aligned": sum(s["variants"]["aligned"] for s in shards)}
    manifest = {
        "format": cfg.format,
        "mix": cfg.mix,
        "aligned_ratio": cfg.aligned_ratio if cfg.mix == "hybrid" else None,
        "seed": cfg.seed,
        "documents": documents,
        "variants": variants,
        "wanted": {"original": counts["documents"] - counts["wanted_aligned"], "aligned": counts["wanted_aligned"]},
        "fallback_to_original": counts["fallback_to_original"],
        "tokens": {"total": sum(s["tokens"] for s in shards), "method": token_label(cfg.tokenizer)},
        "shard_bytes_target": cfg.shard_bytes,
        "partitions": partitions,
        "compression_ratio_estimate": ratio,
        "bytes": sum(s["bytes"] for s in shards),
        "shards": shards,
        "fields": columns,
        "aligned_filter": {"model": cfg.aligned_model, "prompt_version": cfg.aligned_prompt_version},
        "table_versions": table_versions,
        # per run (see manifest.PER_RUN_FIELDS): which run, when, and which process assembled the manifest
        "run_id": ctx.run_id,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "driver": process_id(),
    }
    faults.checkpoint("export:after_shards")
    mf.write(out, manifest)
    log.info("export: %d documents (%d aligned, %d fell back to original) in %d shards from %d partitions, "
             "%s tokens (%s), %d stale shards removed -> %s", documents, variants["aligned"],
             counts["fallback_to_original"], len(shards), partitions, manifest["tokens"]["total"],
             manifest["tokens"]["method"], len(stale), out)
    return manifest


def run(ctx: Context) -> dict[str, int]:
    """Stage runner (``native_align.registry``: ``export``)."""
    m = export(ctx)
    return {"documents": m["documents"], "aligned": m["variants"]["aligned"],
            "original": m["variants"]["original"], "fallback_to_original": m["fallback_to_original"],
            "shards": len(m["shards"]), "tokens": m["tokens"]["total"], "bytes": m["bytes"]}
