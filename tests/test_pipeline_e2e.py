"""The whole pipeline, as a user runs it: ``native-align run`` on the bundled sample, in a fresh folder.

Real everything: Spark local mode + Delta, fastText, MinHash, the expert annotation against the local
OpenAI-compatible server, the rewrite with the tiny local LM on a local Ray, the report (tiny LM as reference
model, the same local server as judge) and the export. Checks that the reconciliation passes, that the report
and the export agree with the tables, and that a successful run prints no traceback and no error-level line: the
command runs in a process of its own, so its whole output (the JVM's and Ray's included) is checked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from native_align.registry import stage_names
from tests.support.openai_server import OpenAIServer, clean_rewrite, document_from_prompt, last_user_content

JUDGE_MARK = "Rate the Arabic text"


def _reply(messages) -> str:
    """Expert requests get the server's deterministic clean rewrite; judge requests get scores from the text."""
    user = last_user_content(messages)
    if JUDGE_MARK in user:
        text = document_from_prompt(user)
        ad = "http" in text or "اتصل" in text
        return json.dumps({"format": 7, "accuracy": 8, "moderation": 9, "advertisement": 3 if ad else 9,
                           "detail": 7})
    return clean_rewrite(messages)


@pytest.fixture
def e2e(tmp_path, monkeypatch, spark, tiny_lm):
    monkeypatch.chdir(tmp_path)  # `native-align run` writes under ./work, as for a user
    with OpenAIServer(reply_fn=_reply) as server:
        work = tmp_path / "work"
        conf = {
            # every location a file:// URI: the code path an s3a:// or abfss:// root takes (tests/test_pipeline_uri.py,
            # slow, compares it with plain paths); the files land where ./work would hold them
            "tables": {"root": (work / "tables").as_uri(), "staging_root": (work / "staging").as_uri(),
                       "checkpoint_dir": (work / "checkpoints").as_uri()},
            "seed": {"size": 6},
            "expert": {"base_url": server.base_url, "model": "expert-test", "api_key_env": "NA_E2E_KEY",
                       "backoff_base_s": 0.01, "timeout_s": 30},
            "rewrite": {
                "engine": "transformers", "work_files": 2, "chat_few_shot": False, "max_piece_tokens": 150,
                "transformers": {"model": tiny_lm, "device": "cpu", "max_new_tokens_cap": 12,
                                 "min_new_tokens_cap": 4, "batch_size": 8, "do_sample": True,
                                 "context_length": 1024},
                "ray": {"actors": 1, "num_cpus_per_actor": 0.5, "batch_size": 16, "show_progress": False},
            },
            "report": {"output_dir": (work / "report").as_uri(),
                       "perplexity": {"model": tiny_lm, "sample_size": 8, "max_tokens": 64},
                       "judge": {"base_url": server.base_url, "model": "judge-test", "api_key_env": "NA_E2E_KEY",
                                 "sample_size": 4, "backoff_base_s": 0.01}},
            "export": {"mix": "hybrid", "aligned_ratio": 0.5, "shard_bytes": 16384,
                       "output_dir": (work / "export").as_uri()},
        }
        cfg_file = tmp_path / "e2e.yaml"
        cfg_file.write_text(yaml.safe_dump(conf, allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "NA_E2E_KEY": "sk-e2e-secret-never-printed"}
        proc = subprocess.run([sys.executable, "-m", "native_align.cli", "run", "--config", str(cfg_file)],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1500)
        yield proc, tmp_path, server


@pytest.mark.timeout(1800)
def test_native_align_run_end_to_end(e2e, spark):
    from native_align.settings import load_settings
    from native_align.context import Context
    from native_align.export.stage import read_shards
    from native_align.rewrite.aligned import select_aligned
    from native_align.runs import reconcile

    proc, root, server = e2e
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    noisy = [line for line in out.splitlines() if "Traceback" in line or re.search(r"\bERROR\b", line)]
    assert not noisy, "\n".join(noisy[:20])
    assert "check: " in proc.stdout and "-> OK" in proc.stdout
    assert "sk-e2e-secret-never-printed" not in out
    assert not (root / "file:").exists()  # no URI taken for a relative path
    settings = load_settings("local", root / "e2e.yaml")
    ctx = Context.create(settings, spark=spark)
    t = ctx.tables

    # every stage ran and was recorded; the conservation invariant holds
    recorded = {r["stage"] for r in t.read("runs").select("stage").distinct().collect()}
    assert recorded == set(stage_names())
    recon = reconcile(ctx)
    assert recon.ok, recon.render()
    assert recon.ingested > 0 and recon.kept > 0

    # annotation went to the local expert; the judge is asked exactly when there are ok rewrites to judge
    assert t.read("seed_pairs").count() == t.read("seed").count() > 0
    n_ok = select_aligned(t.read("aligned")).where("status = 'ok'").count()
    judged = sum(JUDGE_MARK in r.content for r in server.records)
    assert judged == 2 * min(n_ok, 4)

    # report: one self-contained HTML + Markdown, all corpus sections ok, reconciliation shown
    html = (root / "work" / "report" / "report.html").read_text(encoding="utf-8")
    assert (root / "work" / "report" / "report.md").is_file()
    for key in ("funnel", "rejects", "languages", "sources", "rewrite"):
        assert f'<section id="{key}">\n  <h2>' in html
    assert 'class="status notrun"' not in html.split('id="rewrite"')[0]   # no corpus section "not run"
    assert "reconciliation passes" in html
    expect_judge = "ok" if n_ok else "skipped"   # the tiny LM's noise rarely passes the guardrails
    assert re.search(rf'<section id="judge">\s*<h2>[^<]*<span class="status [a-z]+">{expect_judge}<', html)
    assert f"{recon.ingested:,}" in html
    assert "NA_E2E_KEY" not in html

    # export: shards + manifest consistent with curated and aligned
    out = root / "work" / "export"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    curated = {r["doc_id"]: r["text"] for r in t.read("curated").select("doc_id", "text").collect()}
    ok = {r["doc_id"]: r["rewrite"] for r in select_aligned(t.read("aligned")).where("status = 'ok'").collect()}
    records = read_shards(out)
    assert manifest["documents"] == len(records) == len(curated)
    assert {r["doc_id"] for r in records} == set(curated)
    for shard in manifest["shards"]:
        assert (out / shard["file"]).stat().st_size == shard["bytes"]
    for r in records:
        expected = ok[r["doc_id"]] if r["variant"] == "aligned" else curated[r["doc_id"]]
        assert r["text"] == expected
    assert manifest["variants"]["aligned"] == sum(r["variant"] == "aligned" for r in records)
    assert manifest["variants"]["aligned"] + manifest["fallback_to_original"] == manifest["wanted"]["aligned"]
    assert manifest["tokens"]["total"] == sum(len(r["text"].split()) for r in records)
