"""The pipeline with every location a ``file://`` URI (tables, staging, checkpoints, export, pairs) reconciles exactly
as with plain paths: the code path an ``s3a://`` or ``abfss://`` root takes, on a filesystem the test can read.

Like test_pipeline_e2e: ``native-align run`` on the bundled sample in a fresh folder. To keep it short the paths
run does ingest, curate and dedup (all the reconciliation depends on); the URI run goes on through seed, pairs and
export, then export-pairs (no annotate, rewrite or report: the expert server and the LM are covered elsewhere).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

# slow (40 s: the sample run twice); the default run covers URI roots through every stage in test_pipeline_e2e.py
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


def _config(root: Path, uri: bool) -> dict:
    loc = (lambda p: p.as_uri()) if uri else str
    return {
        "tables": {"root": loc(root / "tables"), "staging_root": loc(root / "staging"),
                   "checkpoint_dir": loc(root / "checkpoints")},
        "dedup": {"checkpoint": "reliable"},  # connected components checkpoint under tables.checkpoint_dir
        "seed": {"size": 6},
        "export": {"output_dir": loc(root / "export"), "mix": "original", "shard_bytes": 16384},
        "train": {"pairs_dir": loc(root / "pairs"), "origins": ["noise"]},
    }


def _run(tmp_path: Path, name: str, uri: bool, stages: str, capsys) -> tuple[dict, str]:
    from native_align.cli import main

    cfg_file = tmp_path / f"{name}.yaml"
    conf = _config(tmp_path / name, uri)
    cfg_file.write_text(yaml.safe_dump(conf), encoding="utf-8")
    capsys.readouterr()
    assert main(["run", "--config", str(cfg_file), "--stages", stages]) == 0
    out = capsys.readouterr().out
    return conf, next(line for line in out.splitlines() if line.startswith("check: "))


def test_file_uri_roots_reconcile_like_paths(tmp_path, monkeypatch, spark, capsys):
    from native_align.context import Context
    from native_align.export.stage import read_shards
    from native_align.runs import reconcile
    from native_align.settings import build_settings

    monkeypatch.chdir(tmp_path)
    _, by_path = _run(tmp_path, "paths", False, "ingest,curate,dedup", capsys)
    conf, by_uri = _run(tmp_path, "uris", True, "ingest,curate,dedup,seed,pairs,export", capsys)
    with capsys.disabled():
        print(f"\nreconciliation with paths: {by_path}\nreconciliation with file:// URIs: {by_uri}")
    assert by_uri == by_path and by_uri.endswith("-> OK")

    recon = {name: reconcile(Context.create(build_settings(_config(tmp_path / name, name == "uris")), spark=spark))
             for name in ("paths", "uris")}
    fields = ("ingested", "quarantined", "documents", "rejected", "kept_by_curate", "duplicates", "kept")
    assert [getattr(recon["uris"], f) for f in fields] == [getattr(recon["paths"], f) for f in fields]
    assert recon["uris"].ok and recon["uris"].kept > 0

    # every location landed where its URI says, and nothing under a mangled "<cwd>/file:/..." folder
    uris = tmp_path / "uris"
    for table in ("documents", "signals", "curated", "seed", "noise_pairs", "runs"):
        assert (uris / "tables" / table / "_delta_log").is_dir(), table
    assert any((uris / "checkpoints").rglob("*")), "dedup wrote no reliable checkpoint"
    assert not (tmp_path / "file:").exists() and not (tmp_path / "work").exists()
    manifest = json.loads((uris / "export" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == len(read_shards(conf["export"]["output_dir"])) == recon["uris"].kept

    # export-pairs writes the training files to the pairs URI
    from native_align.cli import main

    assert main(["export-pairs", "--config", str(tmp_path / "uris.yaml")]) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    lines = (uris / "pairs" / "chat" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    assert counts["train"] == len(lines) > 0 and (uris / "pairs" / "manifest.json").is_file()
