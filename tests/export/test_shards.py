"""One partition's shards and the manifest helpers, without Spark, on an fsspec store (memory://): what an
executor does for any storage the cluster can write."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os

from native_align import storage
from native_align.export import manifest as mf
from native_align.export.shards import ShardSpec, shard_name, write_partition


def _records(n: int) -> list[dict]:
    """Records with a hex digest in the text, so gzip cannot shrink them to nothing."""
    return [{"doc_id": f"d{i:03d}", "text": f"نص رقم {i} " + "كلمة " * (i % 7) + hashlib.sha256(bytes([i])).hexdigest(),
             "variant": "aligned" if i % 3 == 0 else "original", "source": "s"} for i in range(n)]


def test_partition_rolls_over_and_counts_what_it_wrote():
    out = f"memory://na-shards-{os.getpid()}/mix"
    spec = ShardSpec(out_dir=out, fmt="jsonl.gz", shard_bytes=1024)
    rows = write_partition(iter(_records(120)), 7, spec)
    assert len(rows) >= 3 and [r["file"] for r in rows] == [shard_name(7, k, "jsonl.gz") for k in range(len(rows))]
    seen = []
    for r in rows:
        data = storage.read_bytes(storage.join(out, r["file"]))
        lines = [json.loads(x) for x in gzip.GzipFile(fileobj=io.BytesIO(data))]
        assert r["bytes"] == len(data) and r["sha256"] == hashlib.sha256(data).hexdigest()
        assert (r["documents"], r["aligned"], r["original"]) == \
            (len(lines), sum(x["variant"] == "aligned" for x in lines), sum(x["variant"] == "original" for x in lines))
        assert r["tokens"] == sum(len(x["text"].split()) for x in lines) and r["partition"] == 7
        seen += [x["doc_id"] for x in lines]
    assert seen == [f"d{i:03d}" for i in range(120)]               # in order, each once
    assert all(r["bytes"] >= 1024 for r in rows[:-1])
    again = write_partition(iter(_records(120)), 7, spec)
    assert [r["sha256"] for r in again] == [r["sha256"] for r in rows]   # deterministic bytes


def test_manifest_written_last_and_stale_shards_removed():
    out = f"memory://na-manifest-{os.getpid()}/mix"
    spec = ShardSpec(out_dir=out, fmt="parquet", shard_bytes=2048)
    old = write_partition(iter(_records(60)), 3, spec)
    storage.write_bytes(storage.join(out, "notes.txt"), b"not ours")
    mf.write(out, {"shards": mf.shard_entries(old)})
    mf.begin(out)                                                 # a new export starts: the folder reads incomplete
    assert not storage.exists(storage.join(out, mf.MANIFEST))
    new = write_partition(iter(_records(20)), 0, spec)
    stale = mf.remove_stale(out, {r["file"] for r in new})
    assert sorted(stale) == sorted(r["file"] for r in old)
    mf.write(out, {"shards": mf.shard_entries(new)})
    assert storage.list_files(out) == sorted([mf.MANIFEST, "notes.txt"] + [r["file"] for r in new])
    assert [r["doc_id"] for r in mf.read_shards(out)] == [f"d{i:03d}" for i in range(20)]
