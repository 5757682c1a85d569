"""``native-align run --sample web``: every stage on the packaged WARC + WET sample, as a user runs it.

Real Spark local mode + Delta, fastText, MinHash; the report's perplexity uses the tiny local LM (the profile's
Gemma would take minutes on a CPU). The rewrite stage runs with ``limit: 0`` (no Ray: tests/test_pipeline_e2e.py
covers the Ray rewrite on the news sample); no expert or judge endpoint, so those are skipped.
"""

from __future__ import annotations

import json

import pytest
import yaml

from native_align.registry import stage_names


@pytest.mark.timeout(1800)
@pytest.mark.slow  # 27 s (every stage on the web sample); WARC/WET ingest is tested in test_stage.py
def test_web_sample_runs_every_stage_and_reconciles(tmp_path, monkeypatch, spark, tiny_lm, capsys):
    monkeypatch.chdir(tmp_path)  # tables, report and export go under ./work/web, as for a user
    conf = {"rewrite": {"limit": 0}, "report": {"perplexity": {"model": tiny_lm, "sample_size": 4, "max_tokens": 64}}}
    cfg_file = tmp_path / "small.yaml"
    cfg_file.write_text(yaml.safe_dump(conf), encoding="utf-8")
    from native_align.cli import main

    assert main(["run", "--sample", "web", "--config", str(cfg_file)]) == 0
    out = capsys.readouterr().out
    assert "-> OK" in out and "MISMATCH" not in out

    from native_align.context import Context
    from native_align.ingest.samples import sample_overrides
    from native_align.runs import reconcile
    from native_align.settings import load_settings

    ctx = Context.create(load_settings("local", cfg_file, sample_overrides("web")), spark=spark)
    t = ctx.tables
    recon = reconcile(ctx)
    assert recon.ok, recon.render()
    assert (recon.documents, recon.quarantined) == (29, 3) and recon.kept > 0
    assert {r["stage"] for r in t.read("runs").select("stage").distinct().collect()} == set(stage_names())
    ingest = t.read("runs").where("stage = 'ingest'").first()["counts"]
    assert (ingest["web_records"], ingest["web_skipped"], ingest["web_url_filtered"]) == (47, 12, 3)
    assert t.read("documents").where("metadata['warc_record_type'] = 'conversion'").count() == 15

    web = tmp_path / "work" / "web"
    manifest = json.loads((web / "export" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == recon.kept
    assert (web / "report" / "report.html").is_file()
    assert not (tmp_path / "work" / "tables").exists()  # never mixed with the news sample's tables
