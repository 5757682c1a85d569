"""``native-align export``: the training mix (original / aligned / hybrid), deterministically shuffled and sharded.

The paper trains on a mix of original and aligned text; which mix is best is an experiment, so the export must be
reproducible bit for bit: the per-document choice and the shuffle order come from SHA-256 of (seed, doc_id), never
from ``rand()``, and gzip headers carry no timestamp, so the same tables and settings give identical shard files.

Only `aligned` rows with status ``ok`` count as aligned; a document that should be aligned but has no ok rewrite
falls back to its original text and is counted (``fallback_to_original``) in the manifest.

Shards are written by the driver from an ordered ``toLocalIterator`` stream (one partition in memory at a time), so
shard boundaries follow a byte target exactly instead of Spark's partitioning. That puts the write on one machine:
fine up to tens of GB of text; beyond that, export per source or date range.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from native_align.context import Context
from native_align.export.config import ExportConfig
from native_align.rewrite.aligned import select_aligned

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_HEX = 15  # hex digits of SHA-256 used as a uniform number in [0, 1): 60 bits, exact in a double's range


def unit_hash(seed: int | str, key: Column, salt: str = "mix") -> Column:
    """A number in [0, 1) from SHA-256(salt:seed:key): portable (Python's hashlib gives the same)."""
    digest = F.sha2(F.concat_ws(":", F.lit(salt), F.lit(str(seed)), key.cast("string")), 256)
    return F.conv(F.substring(digest, 1, _HEX), 16, 10).cast("decimal(20,0)").cast("double") / float(16 ** _HEX)


def unit_hash_py(seed: int | str, key: str, salt: str = "mix") -> float:
    """Python twin of :func:`unit_hash` (for tests and for reasoning about a single document)."""
    digest = hashlib.sha256(f"{salt}:{seed}:{key}".encode("utf-8")).hexdigest()
    return int(digest[:_HEX], 16) / float(16 ** _HEX)


def mix(curated: DataFrame, aligned: DataFrame | None, mode: str, ratio: float, seed: int,
        fields: Iterable[str] = ()) -> DataFrame:
    """doc_id, text, variant (what was written), wanted (what the mix asked for), and ``fields`` of `curated`.

    ``aligned`` is one row per document (see :func:`~native_align.rewrite.aligned.select_aligned`); rows whose status
    is not ok are ignored. ``wanted``: original for mode original; aligned for mode aligned; for hybrid, aligned
    when unit_hash(seed, doc_id) < ratio.
    """
    fields = [f for f in fields if f in curated.columns and f not in ("doc_id", "text")]
    base = curated.select("doc_id", "text", *fields)
    if mode == "original":
        wanted = F.lit("original")
    elif mode == "aligned":
        wanted = F.lit("aligned")
    elif mode == "hybrid":
        wanted = F.when(unit_hash(seed, F.col("doc_id")) < F.lit(float(ratio)), "aligned").otherwise("original")
    else:
        raise ValueError(f"unknown mix {mode!r}; expected original, aligned or hybrid")
    base = base.withColumn("wanted", wanted)
    if aligned is not None:
        ok = aligned.where(F.col("status") == "ok").select("doc_id", F.col("rewrite").alias("_rewrite"))
        base = base.join(ok, "doc_id", "left")
    else:
        base = base.withColumn("_rewrite", F.lit(None).cast("string"))
    use_rewrite = (F.col("wanted") == "aligned") & F.col("_rewrite").isNotNull()
    return base.select(
        "doc_id",
        F.when(use_rewrite, F.col("_rewrite")).otherwise(F.col("text")).alias("text"),
        F.when(use_rewrite, F.lit("aligned")).otherwise(F.lit("original")).alias("variant"),
        "wanted", *fields)


def shuffle(df: DataFrame, seed: int) -> DataFrame:
    """Rows in a deterministic pseudo-random order: by SHA-256(shuffle:seed:doc_id), doc_id breaking ties."""
    return df.withColumn("_order", F.sha2(F.concat_ws(":", F.lit("shuffle"), F.lit(str(seed)), F.col("doc_id")),
                                          256)).orderBy("_order", "doc_id").drop("_order")


# -- token counting -------------------------------------------------------------------------------------------
def token_counter(tokenizer: str | None) -> tuple[Callable[[list[str]], list[int]], str]:
    """(count function over a batch of texts, label for the manifest). None: whitespace words, an estimate."""
    if not tokenizer:
        return (lambda texts: [len(t.split()) for t in texts]), "estimate: whitespace words (no tokenizer set)"
    path = Path(tokenizer)
    if path.is_file() and path.suffix == ".json":
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(path))
        return (lambda texts: [len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=False)]), \
            f"tokenizer: {path.name}"
    from transformers import AutoTokenizer

    if path.is_file() and path.suffix == ".gguf":
        hf = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    else:
        hf = AutoTokenizer.from_pretrained(tokenizer)
    return (lambda texts: [len(ids) for ids in hf(texts, add_special_tokens=False)["input_ids"]]), \
        f"tokenizer: {tokenizer}"


# -- shard writers --------------------------------------------------------------------------------------------
class _JsonlGzShard:
    """One JSONL.gz shard; ``size`` is the compressed bytes on disk, kept accurate by periodic sync flushes."""

    def __init__(self, path: Path, flush_every: int):
        self.path = path
        self._raw = open(path, "wb")
        # mtime=0 and no file name in the header: identical input gives identical bytes.
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0)
        self._flush_every = flush_every
        self._pending = 0

    def write(self, record: dict) -> None:
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        self._gz.write(data)
        self._pending += len(data)
        if self._pending >= self._flush_every:
            self._gz.flush(zlib.Z_SYNC_FLUSH)
            self._pending = 0

    @property
    def size(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._gz.close()
        self._raw.close()


class _ParquetShard:
    """One Parquet shard, buffered in memory and written on close; ``size`` estimates the file from the
    compression ratio of earlier shards (exact for the written file)."""

    ratio = 0.5  # compressed / uncompressed; updated after every shard

    def __init__(self, path: Path, flush_every: int):
        self.path = path
        self._rows: list[dict] = []
        self._raw = 0

    def write(self, record: dict) -> None:
        self._rows.append(record)
        self._raw += sum(len(str(v).encode("utf-8")) for v in record.values() if v is not None)

    @property
    def size(self) -> int:
        return int(self._raw * _ParquetShard.ratio)

    def close(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(self._rows)
        pq.write_table(table, self.path, compression="zstd")
        if self._raw:
            _ParquetShard.ratio = max(0.01, self.path.stat().st_size / self._raw)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_shards(records: Iterator[dict], out_dir: Path, fmt: str, shard_bytes: int,
                 count_tokens: Callable[[list[str]], list[int]], batch: int = 256) -> list[dict[str, Any]]:
    """Write ``records`` in order into shards of about ``shard_bytes`` each; returns the shard list.

    A shard is closed once its size reaches the target, so every shard but the last is at least the target and
    exceeds it by less than one record plus one flush interval.
    """
    ext = "jsonl.gz" if fmt == "jsonl.gz" else "parquet"
    cls = _JsonlGzShard if fmt == "jsonl.gz" else _ParquetShard
    _ParquetShard.ratio = 0.5
    flush_every = max(256, min(64 * 1024, shard_bytes // 16))
    shards: list[dict[str, Any]] = []
    current, docs, tokens, variants = None, 0, 0, {"original": 0, "aligned": 0}
    pending: list[str] = []

    def close_current() -> None:
        nonlocal current, docs, tokens, variants, pending
        if current is None:
            return
        tokens += sum(count_tokens(pending)) if pending else 0
        pending = []
        current.close()
        shards.append({"file": current.path.name, "documents": docs, "bytes": current.path.stat().st_size,
                       "tokens": tokens, "variants": dict(variants), "sha256": _sha256(current.path)})
        current, docs, tokens, variants = None, 0, 0, {"original": 0, "aligned": 0}

    for record in records:
        if current is None:
            current = cls(out_dir / f"shard-{len(shards):05d}.{ext}", flush_every)
        current.write(record)
        docs += 1
        variants[record["variant"]] = variants.get(record["variant"], 0) + 1
        pending.append(record["text"])
        if len(pending) >= batch:
            tokens += sum(count_tokens(pending))
            pending = []
        if current.size >= shard_bytes:
            close_current()
    close_current()
    return shards


def _clear(out_dir: Path) -> None:
    """Remove shards and the manifest of an earlier export (only files this module writes)."""
    for pattern in ("shard-*.jsonl.gz", "shard-*.parquet", MANIFEST):
        for old in out_dir.glob(pattern):
            old.unlink()


def export(ctx, cfg: ExportConfig | None = None) -> dict[str, Any]:
    """Mix, shuffle and write shards + manifest.json to ``cfg.output_dir``; returns the manifest."""
    cfg = cfg or ctx.settings.export
    if not ctx.tables.exists("curated"):
        raise FileNotFoundError("export needs the `curated` table: run ingest, curate and dedup first")
    curated = ctx.tables.read("curated")
    aligned = None
    if cfg.mix != "original" and ctx.tables.exists("aligned"):
        aligned = select_aligned(ctx.tables.read("aligned"), cfg.aligned_model, cfg.aligned_prompt_version)
    mixed = shuffle(mix(curated, aligned, cfg.mix, cfg.aligned_ratio, cfg.seed, cfg.fields), cfg.seed).cache()
    wanted = {r["wanted"]: r["count"] for r in mixed.groupBy("wanted").count().collect()}
    fallback = mixed.where((F.col("wanted") == "aligned") & (F.col("variant") == "original")).count()

    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    count_tokens, token_method = token_counter(cfg.tokenizer)
    columns = [c for c in mixed.columns if c != "wanted"]
    records = ({c: row[c] for c in columns} for row in mixed.select(*columns).toLocalIterator())
    shards = write_shards(records, out, cfg.format, cfg.shard_bytes, count_tokens)
    mixed.unpersist()

    variants = {"original": sum(s["variants"].get("original", 0) for s in shards),
                "aligned": sum(s["variants"].get("aligned", 0) for s in shards)}
    manifest = {
        "format": cfg.format,
        "mix": cfg.mix,
        "aligned_ratio": cfg.aligned_ratio if cfg.mix == "hybrid" else None,
        "seed": cfg.seed,
        "documents": sum(s["documents"] for s in shards),
        "variants": variants,
        "wanted": {"original": int(wanted.get("original", 0)), "aligned": int(wanted.get("aligned", 0))},
        "fallback_to_original": int(fallback),
        "tokens": {"total": sum(s["tokens"] for s in shards), "method": token_method},
        "shard_bytes_target": cfg.shard_bytes,
        "bytes": sum(s["bytes"] for s in shards),
        "shards": shards,
        "fields": ["doc_id", "text", "variant", *[c for c in columns if c not in ("doc_id", "text", "variant")]],
        "aligned_filter": {"model": cfg.aligned_model, "prompt_version": cfg.aligned_prompt_version},
        "table_versions": {name: ctx.tables.version(name) for name in ("curated", "aligned")
                           if ctx.tables.cfg.mode == "path" and ctx.tables.exists(name)},
        "run_id": ctx.run_id,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info("export: %d documents (%d aligned, %d fell back to original) in %d shards, %s tokens (%s) -> %s",
             manifest["documents"], variants["aligned"], fallback, len(shards), manifest["tokens"]["total"],
             token_method, out)
    return manifest


def read_shards(out_dir: str | Path) -> list[dict]:
    """Every record of an export, in shard order (for tests, checks and notebooks)."""
    out_dir = Path(out_dir)
    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    rows: list[dict] = []
    for shard in manifest["shards"]:
        path = out_dir / shard["file"]
        if path.name.endswith(".jsonl.gz"):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                rows.extend(json.loads(line) for line in fh)
        else:
            import pyarrow.parquet as pq

            rows.extend(pq.read_table(path).to_pylist())
    return rows


def run(ctx: Context) -> dict[str, int]:
    """Stage runner (``native_align.registry``: ``export``)."""
    m = export(ctx)
    return {"documents": m["documents"], "aligned": m["variants"]["aligned"],
            "original": m["variants"]["original"], "fallback_to_original": m["fallback_to_original"],
            "shards": len(m["shards"]), "tokens": m["tokens"]["total"], "bytes": m["bytes"]}
