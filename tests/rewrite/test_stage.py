"""The whole path on real parts: Spark work set -> Parquet -> Ray actor pool (tiny LM) -> staging -> MERGE."""

from __future__ import annotations

import os

import pytest
from pyspark.sql import functions as F

from native_align.rewrite import stage
from native_align.rewrite.engines import model_id
from native_align.alignment.prompts import load_prompt
from tests.rewrite.conftest import make_docs, write_curated

pytestmark = pytest.mark.timeout(2400)  # real Spark + Ray; the shared 2-core box can be 10x slower than idle


def _aligned(ctx):
    return {r["doc_id"]: r.asDict() for r in ctx.tables.read("aligned").collect()}


def test_tiny_lm_full_path_then_rerun_adds_nothing(ray_local, rewrite_settings, spark):
    from native_align.context import Context

    ctx = Context.create(rewrite_settings, spark=spark)
    docs = make_docs(5, long_every=4) + [("doc-empty", "   ")]
    write_curated(ctx, docs)
    # one GPU share per actor: exercises num_gpus plumbing on the test cluster's logical GPU
    ctx.settings.rewrite.ray.num_gpus_per_actor = 0.25

    counts = stage.run(ctx)

    assert counts["rewrite_work"] == len(docs)
    assert counts["rewrite_merged"] == len(docs)
    assert counts["rewrite_ok"] + counts["rewrite_rejected"] + counts["rewrite_error"] == len(docs)
    assert counts["rewrite_lost_in_ray"] == 0
    rows = _aligned(ctx)
    assert set(rows) == {d for d, _ in docs}
    texts = dict(docs)
    cfg = ctx.settings.rewrite
    for doc_id, row in rows.items():
        assert row["original_text"] == texts[doc_id]
        assert row["model"] == model_id(cfg) and row["prompt_version"] == load_prompt().version
        assert row["status"] in ("ok", "rejected", "error")
        if row["status"] == "rejected":
            assert row["reasons"] and row["rewrite"] is not None
    assert rows["doc-empty"]["status"] == "error" and rows["doc-empty"]["reasons"] == ["empty_input"]
    # random weights, 12-token cap: outputs are noise and must be caught by the guardrails
    real = [r for d, r in rows.items() if d != "doc-empty"]
    assert all(r["status"] == "rejected" for r in real)
    assert all(r["completion_tokens"] > 0 and r["prompt_tokens"] > 0 for r in real)
    # long documents were cut at paragraph boundaries and rewritten piecewise
    assert rows["doc-000"]["pieces"] > 1 and rows["doc-001"]["pieces"] == 1
    assert counts["rewrite_pieces"] == sum(r["pieces"] for r in rows.values())
    # staging is cleaned after the MERGE
    assert not os.path.exists(ctx.tables.staging_path("rewrite")) or not any(
        n.endswith(".parquet") for _, _, fs in os.walk(ctx.tables.staging_path("rewrite")) for n in fs)

    again = stage.run(ctx)
    assert again["rewrite_work"] == 0 and again["rewrite_merged"] == 0
    assert ctx.tables.read("aligned").count() == len(docs)
    # the MERGE key is unique
    assert ctx.tables.read("aligned").groupBy("doc_id", "model", "prompt_version").count() \
        .where("count > 1").count() == 0


def _openai_cfg(server, **extra):
    from native_align.rewrite.config import RewriteConfig

    base = {"engine": "openai", "work_files": 4, "chat_few_shot": False,
            "openai": {"base_url": server.base_url, "model": "rewriter-x", "api_key_env": "NA_TEST_STAGE_KEY",
                       "timeout_s": 2.0, "max_attempts": 3, "backoff_base_s": 0.01, "backoff_max_s": 0.02},
            "ray": {"actors": 1, "num_cpus_per_actor": 0.5, "batch_size": 4, "show_progress": False}}
    base.update(extra)
    return RewriteConfig.model_validate(base)


def _ad_docs(n):
    return [(d, t + "\nللإعلان اتصل واتساب 0551234567") for d, t in make_docs(n)]


def test_actor_killed_mid_batch_restarts_and_every_doc_lands_once(ray_local, settings, spark, tmp_path):
    from native_align.context import Context
    from native_align.rewrite.config import RewriteConfig
    from tests.support.openai_server import OpenAIServer

    docs = _ad_docs(8)
    marker = tmp_path / "crashed.pid"
    with OpenAIServer() as server:
        inner = _openai_cfg(server).model_dump()
        settings.rewrite = RewriteConfig.model_validate({
            "engine": "tests.rewrite.crash_engine:CrashOnceEngine", "work_files": 4, "chat_few_shot": False,
            "engine_options": {"inner": inner, "marker": str(marker), "crash_on": docs[5][1].split("\n")[0],
                               "model_id": "crash-once"},
            "ray": {"actors": 1, "num_cpus_per_actor": 0.5, "batch_size": 2, "show_progress": False}})
        ctx = Context.create(settings, spark=spark)
        write_curated(ctx, docs)
        counts = stage.run(ctx)
    assert marker.exists(), "the engine never crashed: the test did not test anything"
    rows = ctx.tables.read("aligned")
    assert rows.count() == len(docs) == counts["rewrite_merged"]
    assert rows.select("doc_id").distinct().count() == len(docs)
    assert counts["rewrite_lost_in_ray"] == 0
    assert {r["status"] for r in rows.collect()} == {"ok"}  # the retried batch was rewritten, not lost


def test_interrupted_run_resumes_from_staging_and_errors_can_be_retried(ray_local, settings, spark, monkeypatch):
    """A killed job left results for 3 docs (and a half-written file) in staging: the rerun sends only the
    others to Ray, merges everything once; a doc the endpoint always failed is `error` and a retry fixes it."""
    import pyarrow.parquet as pq

    from native_align.context import Context
    from native_align.rewrite.worker import RewriteWorker
    from tests.support.openai_server import OpenAIServer

    monkeypatch.setenv("NA_TEST_STAGE_KEY", "sk-stage-secret")
    docs = _ad_docs(7)
    poison = docs[6][0]
    docs[6] = (poison, "POISON " + docs[6][1])
    with OpenAIServer(always_fail=["POISON"]) as server:
        settings.rewrite = _openai_cfg(server)
        ctx = Context.create(settings, spark=spark)
        write_curated(ctx, docs)
        cfg = ctx.settings.rewrite
        key = stage.staging_key(model_id(cfg), load_prompt().version)
        results_dir = os.path.join(ctx.tables.staging_path(os.path.join("rewrite", key)), "results")
        os.makedirs(results_dir)
        import pyarrow as pa

        worker = RewriteWorker(cfg)  # what an actor of the killed run had already written
        pq.write_table(worker(pa.table({"doc_id": [d for d, _ in docs[:3]], "text": [t for _, t in docs[:3]]})),
                       os.path.join(results_dir, "killed-run-0.parquet"))
        with open(os.path.join(results_dir, "killed-run-1.parquet"), "wb") as fh:
            fh.write(b"PAR1\x00\x01half-written")
        served_before = server.total_requests

        counts = stage.run(ctx)

        assert counts["rewrite_work"] == len(docs) - 3  # staged docs are not rewritten again
        assert server.total_requests - served_before >= len(docs) - 3
        assert not any(d in r.content for r in server.records[served_before:] for d, _ in docs[:3])
        rows = _aligned(ctx)
        assert len(rows) == len(docs) == counts["rewrite_merged"]
        assert rows[poison]["status"] == "error" and rows[poison]["reasons"] == ["engine_error"]
        assert rows[poison]["rewrite"] is None and rows[poison]["original_text"] == docs[6][1]
        assert "sk-stage-secret" not in (rows[poison]["error"] or "")
        ok = [r for d, r in rows.items() if d != poison]
        assert all(r["status"] == "ok" for r in ok), [(r["doc_id"], r["reasons"]) for r in ok]
        assert all("0551234567" not in r["rewrite"] for r in ok)  # the ad line is gone, the original kept
        assert all("0551234567" in r["original_text"] for r in ok)

        # Rerun: nothing to do. Then retry errors once the endpoint recovers.
        assert stage.run(ctx)["rewrite_work"] == 0
        server.always_fail = ()
        ctx.settings.rewrite.retry_statuses = ["error"]
        again = stage.run(ctx)
    assert again["rewrite_work"] == 1 and again["rewrite_ok"] == 1
    rows = _aligned(ctx)
    assert len(rows) == len(docs) and rows[poison]["status"] == "ok"
