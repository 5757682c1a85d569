"""The export's ``manifest.json``: assembled on the driver from the executors' per-shard rows, written last.

A manifest present means the export is complete: the old one is deleted before any shard is written, and the new
one is written atomically (``.tmp`` then move) after the shards and after stale shards of an earlier, bigger
export are removed.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from native_align import storage
from native_align.export.shards import SHARD_RE

MANIFEST = "manifest.json"
# Fields that differ between two runs over the same tables and settings (everything else is reproducible).
PER_RUN_FIELDS = ("run_id", "created_at", "driver")
PER_RUN_SHARD_FIELDS = ("writer",)


def shard_entries(rows: list[dict]) -> list[dict[str, Any]]:
    """The executors' rows as manifest entries, in read order (partition, then shard within it)."""
    entries = []
    for r in sorted(rows, key=lambda r: (r["partition"], r["shard"])):
        entries.append({"file": r["file"], "partition": int(r["partition"]), "documents": int(r["documents"]),
                        "bytes": int(r["bytes"]), "tokens": int(r["tokens"]),
                        "variants": {"original": int(r["original"]), "aligned": int(r["aligned"])},
                        "sha256": r["sha256"], "writer": r["writer"]})
    return entries


def begin(out_dir: str) -> None:
    """Make the folder and delete the manifest of an earlier export: from now on the folder reads incomplete."""
    storage.makedirs(out_dir)
    storage.remove(storage.join(out_dir, MANIFEST))
    storage.remove(storage.join(out_dir, MANIFEST + ".tmp"))


def remove_stale(out_dir: str, keep: set[str]) -> list[str]:
    """Delete shard files of earlier exports that this one did not overwrite (only names this module writes)."""
    stale = [n for n in storage.list_files(out_dir) if SHARD_RE.match(n) and n not in keep]
    for name in stale:
        storage.remove(storage.join(out_dir, name))
    return stale


def write(out_dir: str, manifest: dict) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    storage.write_bytes(storage.join(out_dir, MANIFEST), data, atomic=True)


def read(out_dir: str) -> dict:
    return json.loads(storage.read_bytes(storage.join(str(out_dir), MANIFEST)).decode("utf-8"))


def read_shards(out_dir) -> list[dict]:
    """Every record of an export, in shard order, from any location :mod:`native_align.storage` resolves
    (for tests, checks and notebooks: it reads everything into memory)."""
    out_dir = str(out_dir)
    rows: list[dict] = []
    for shard in read(out_dir)["shards"]:
        with storage.open_input(storage.join(out_dir, shard["file"])) as fh:
            if shard["file"].endswith(".jsonl.gz"):
                with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
                    rows.extend(json.loads(line) for line in gz)  # bytes split on b"\n" only
            else:
                import pyarrow.parquet as pq

                rows.extend(pq.read_table(fh).to_pylist())
    return rows
