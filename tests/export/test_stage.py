"""Mix ratios, fallback counting, deterministic order and bytes, shard sizes, manifest counts, token totals."""

from __future__ import annotations

import json
import math
from pathlib import Path

from native_align.export.config import ExportConfig
from native_align.export.sizing import FILL
from native_align.export.stage import MANIFEST, export, mix, read_shards, unit_hash_py
from tests.export.conftest import N


def _export(ctx, out: Path, **kw) -> dict:
    cfg = ExportConfig(output_dir=str(out), **kw)
    return export(ctx, cfg)


def test_hybrid_choice_follows_hash_and_ratio(corpus):
    ctx, ok_ids = corpus
    cur, al = ctx.tables.read("curated"), ctx.tables.read("aligned")
    rows = {r["doc_id"]: (r["wanted"], r["variant"]) for r in mix(cur, al, "hybrid", 0.3, 7).collect()}
    expect_wanted = {d for d in rows if unit_hash_py(7, d) < 0.3}
    assert {d for d, (w, _) in rows.items() if w == "aligned"} == expect_wanted
    assert 0.22 * N <= len(expect_wanted) <= 0.38 * N
    assert {d for d, (_, v) in rows.items() if v == "aligned"} == expect_wanted & ok_ids
    other_seed = {r["doc_id"] for r in mix(cur, al, "hybrid", 0.3, 8).where("wanted = 'aligned'").collect()}
    assert other_seed != expect_wanted


def test_ratio_extremes_and_modes(corpus):
    ctx, ok_ids = corpus
    cur, al = ctx.tables.read("curated"), ctx.tables.read("aligned")
    assert mix(cur, al, "hybrid", 0.0, 1).where("variant = 'aligned'").count() == 0
    assert mix(cur, al, "hybrid", 1.0, 1).where("variant = 'aligned'").count() == len(ok_ids)
    assert mix(cur, al, "original", 0.5, 1).where("variant = 'aligned'").count() == 0
    aligned_mode = mix(cur, al, "aligned", 0.5, 1)
    assert aligned_mode.where("variant = 'aligned'").count() == len(ok_ids)
    row = aligned_mode.where("doc_id = 'doc0001'").first()
    assert row["text"].startswith("معاد: ")                      # ok rewrite used
    assert mix(cur, al, "aligned", 0.5, 1).where("doc_id = 'doc0010'").first()["variant"] == "original"  # rejected


def test_export_manifest_counts_and_roundtrip(corpus, tmp_path):
    ctx, ok_ids = corpus
    m = _export(ctx, tmp_path / "a", mix="aligned", shard_bytes=4096)
    assert m["documents"] == N
    assert m["variants"] == {"aligned": len(ok_ids), "original": N - len(ok_ids)}
    assert m["wanted"] == {"aligned": N, "original": 0}
    assert m["fallback_to_original"] == N - len(ok_ids)
    records = read_shards(tmp_path / "a")
    assert len(records) == N and len({r["doc_id"] for r in records}) == N
    assert sum(s["documents"] for s in m["shards"]) == N
    assert m["tokens"]["method"].startswith("estimate")
    assert m["tokens"]["total"] == sum(len(r["text"].split()) for r in records)
    assert set(records[0]) == {"doc_id", "text", "variant", "source", "url", "title", "date"}
    on_disk = json.loads((tmp_path / "a" / MANIFEST).read_text())
    assert on_disk["shards"] == m["shards"]
    assert sorted(p.name for p in (tmp_path / "a").glob("shard-*")) == [s["file"] for s in m["shards"]]


def test_export_is_deterministic_and_shuffled(corpus, tmp_path):
    ctx, _ = corpus
    a = _export(ctx, tmp_path / "a", mix="hybrid", aligned_ratio=0.5, seed=3, shard_bytes=4096)
    b = _export(ctx, tmp_path / "b", mix="hybrid", aligned_ratio=0.5, seed=3, shard_bytes=4096)
    assert [s["sha256"] for s in a["shards"]] == [s["sha256"] for s in b["shards"]]
    order = [r["doc_id"] for r in read_shards(tmp_path / "a")]
    assert order != sorted(order)
    c = _export(ctx, tmp_path / "c", mix="hybrid", aligned_ratio=0.5, seed=4, shard_bytes=4096)
    assert [r["doc_id"] for r in read_shards(tmp_path / "c")] != order


def test_shard_sizes_follow_target(corpus, tmp_path):
    """Partitions sized from the mix's measured bytes hold about one shard each; a partition that exceeds the
    target rolls over into a second file of its own."""
    ctx, _ = corpus
    target = 4096
    m = _export(ctx, tmp_path / "s", mix="original", shard_bytes=target)
    shards = m["shards"]
    for s in shards:
        assert s["bytes"] == (tmp_path / "s" / s["file"]).stat().st_size
    # the plan: raw value bytes of every record (counted here from the table) x the measured ratio
    raw = sum(len(str(v).encode("utf-8")) for r in ctx.tables.read("curated").collect()
              for v in (r["doc_id"], r["text"], "original", r["source"], r["url"], r["title"], r["date"]))
    assert m["partitions"] == math.ceil(raw * m["compression_ratio_estimate"] / (FILL * target)) >= 4
    assert 0.7 * target <= m["bytes"] / m["partitions"] <= 1.3 * target     # the estimate was about right
    by_partition: dict[int, list[int]] = {}
    for s in shards:
        by_partition.setdefault(s["partition"], []).append(s["bytes"])
    assert len(by_partition) == m["partitions"] and len(shards) <= 2 * m["partitions"]
    for sizes in by_partition.values():
        assert all(target <= size <= 2 * target for size in sizes[:-1]), sizes   # rolled over at the target
        assert 0 < sizes[-1] <= 2 * target
    # a rerun into the same folder replaces the shards, it does not leave stale ones behind
    m2 = _export(ctx, tmp_path / "s", mix="original", shard_bytes=4 * target)
    assert sorted(p.name for p in (tmp_path / "s").glob("shard-*")) == sorted(s["file"] for s in m2["shards"])
    assert len(m2["shards"]) < len(shards)


def test_parquet_and_real_tokenizer(corpus, tmp_path, tiny_lm):
    from transformers import AutoTokenizer

    ctx, _ = corpus
    m = _export(ctx, tmp_path / "p", mix="hybrid", format="parquet", shard_bytes=8192, tokenizer=tiny_lm)
    assert all(s["file"].endswith(".parquet") for s in m["shards"]) and len(m["shards"]) >= 2
    records = read_shards(tmp_path / "p")
    assert len(records) == N
    tok = AutoTokenizer.from_pretrained(tiny_lm)
    expect = sum(len(tok(r["text"], add_special_tokens=False)["input_ids"]) for r in records)
    assert m["tokens"]["total"] == expect and m["tokens"]["method"] == f"tokenizer: {tiny_lm}"
