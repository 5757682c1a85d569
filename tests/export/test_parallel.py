"""The export written by the executors, to a folder given as a ``file://`` URI, in 4 partitions: shards from
every partition, each document exactly once, manifest totals equal to what the files hold, byte-identical reruns
(per-run fields aside), stale shards of an earlier bigger export removed and nothing else touched."""

from __future__ import annotations

import collections
import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest

from native_align.export.config import ExportConfig
from native_align.export.manifest import PER_RUN_FIELDS, PER_RUN_SHARD_FIELDS
from native_align.export.shards import shard_name
from native_align.export.stage import MANIFEST, export, read_shards
from tests.export.conftest import N

SEED = 11


def _cfg(uri: str, **kw) -> ExportConfig:
    return ExportConfig(output_dir=uri, mix="hybrid", aligned_ratio=0.5, seed=SEED, **kw)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _reproducible(manifest: dict) -> dict:
    """The manifest without what legitimately changes per run: run id, time, the processes' host:pid."""
    out = {k: v for k, v in manifest.items() if k not in PER_RUN_FIELDS}
    out["shards"] = [{k: v for k, v in s.items() if k not in PER_RUN_SHARD_FIELDS} for s in manifest["shards"]]
    return out


@pytest.fixture(scope="module")
def exported(corpus, tmp_path_factory):
    """An earlier, bigger export (8 partitions, small shards) into the folder, then two identical 4-partition
    exports over it; the folder's files after each of the last two."""
    ctx, _ = corpus
    folder = tmp_path_factory.mktemp("uri_export") / "mix"
    uri = folder.as_uri()
    assert uri.startswith("file:///")
    big = export(ctx, _cfg(uri, partitions=8, shard_bytes=1024))
    (folder / "notes.txt").write_text("kept: not ours", encoding="utf-8")
    (folder / "shard-notes.md").write_text("kept: not a shard name", encoding="utf-8")
    first = export(ctx, _cfg(uri, partitions=4, shard_bytes=4096))
    files_first = _files(folder)
    second = export(ctx, _cfg(uri, partitions=4, shard_bytes=4096))
    return ctx, folder, uri, big, first, files_first, second, _files(folder)


def test_shards_come_from_every_partition(exported):
    _, _, _, _, m, _, _, _ = exported
    assert m["partitions"] == 4
    parts = collections.Counter(s["partition"] for s in m["shards"])
    assert set(parts) == {0, 1, 2, 3}
    assert max(parts.values()) >= 2                              # a partition rolled over into a second file
    for p, n in parts.items():
        names = [s["file"] for s in m["shards"] if s["partition"] == p]
        assert names == [shard_name(p, k, "jsonl.gz") for k in range(n)]


def test_every_document_exactly_once_and_in_shuffle_order(exported, corpus):
    ctx, folder, uri, _, m, _, _, _ = exported
    ids = [r["doc_id"] for r in read_shards(uri)]
    assert len(ids) == N and collections.Counter(ids).most_common(1)[0][1] == 1
    assert set(ids) == {r["doc_id"] for r in ctx.tables.read("curated").select("doc_id").collect()}
    key = lambda d: hashlib.sha256(f"shuffle:{SEED}:{d}".encode()).hexdigest()  # noqa: E731
    for p in range(4):
        in_partition = [r["doc_id"] for s in m["shards"] if s["partition"] == p
                        for r in _records(folder / s["file"])]
        assert in_partition == sorted(in_partition, key=key)     # sorted within the partition by the shuffle key
    assert ids != sorted(ids)


def _records(path: Path) -> list[dict]:
    with gzip.open(path, "rb") as fh:
        return [json.loads(line) for line in fh]


def test_manifest_totals_equal_the_shards_own_counts(exported):
    _, folder, _, _, m, files_first, _, _ = exported
    assert json.loads(files_first[MANIFEST]) == m                 # what the first run wrote is what it returned
    totals = collections.Counter()
    for s in m["shards"]:
        data = (folder / s["file"]).read_bytes()
        records = _records(folder / s["file"])
        variants = collections.Counter(r["variant"] for r in records)
        assert s["bytes"] == len(data) and s["sha256"] == hashlib.sha256(data).hexdigest()
        assert s["documents"] == len(records)
        assert s["variants"] == {"original": variants["original"], "aligned": variants["aligned"]}
        assert s["tokens"] == sum(len(r["text"].split()) for r in records)
        totals.update(documents=len(records), bytes=len(data), tokens=s["tokens"], **variants)
    assert (m["documents"], m["bytes"], m["tokens"]["total"]) == \
        (totals["documents"], totals["bytes"], totals["tokens"]) == (N, totals["bytes"], totals["tokens"])
    assert m["variants"] == {"original": totals["original"], "aligned": totals["aligned"]}
    assert m["variants"]["aligned"] + m["fallback_to_original"] == m["wanted"]["aligned"]


def test_shards_written_by_worker_processes(exported):
    _, _, _, _, m, _, _, _ = exported
    host_pid = lambda s: s.rsplit(":", 1)  # noqa: E731
    assert host_pid(m["driver"])[1] == str(os.getpid())
    writers = {host_pid(s["writer"])[1] for s in m["shards"]}
    assert writers and str(os.getpid()) not in writers           # Spark's Python workers, not this process


def test_rerun_is_byte_identical(exported):
    _, _, _, _, first, files_first, second, files_second = exported
    assert files_first.keys() == files_second.keys()
    for name, data in files_first.items():
        if name != MANIFEST:
            assert files_second[name] == data, name
    assert _reproducible(first) == _reproducible(second)
    assert first["run_id"] == second["run_id"]                   # one Context: the same run id
    assert json.loads(files_second[MANIFEST]) == second


def test_stale_shards_of_a_bigger_export_are_removed(exported):
    _, folder, _, big, first, files_first, _, files_second = exported
    assert len(big["shards"]) > len(first["shards"]) and big["partitions"] == 8
    expected = {s["file"] for s in first["shards"]} | {MANIFEST, "notes.txt", "shard-notes.md"}
    assert set(files_first) == set(files_second) == expected
    assert {s["file"] for s in big["shards"]} - expected                # the bigger export had other names
