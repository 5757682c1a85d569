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


def test_slices_have_exact_sizes_and_cover_the_work_set_once(spark):
    rows = [(f"doc-{i:03d}", "نص") for i in range(23)]
    work = spark.createDataFrame(rows, "doc_id string, text string")
    numbered, sizes = stage.with_slices(work, 5)
    assert sizes == [5, 5, 5, 5, 3]
    got = {r["doc_id"]: r["slice"] for r in numbered.collect()}
    assert sorted(got) == [d for d, _ in rows]
    assert [sum(1 for s in got.values() if s == k) for k in range(5)] == sizes
    assert {r["doc_id"]: r["slice"] for r in stage.with_slices(work, 5)[0].collect()} == got  # deterministic
    assert stage.with_slices(work, None)[1] == [23] and stage.with_slices(work, 50)[1] == [23]
    assert stage.with_slices(work.limit(0), 5)[1] == []


SLICE_DRIVER = """
import json, logging, os, sys
sys.path.insert(0, {repo!r})
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
import ray
spec = json.loads(sys.argv[1])
ray.init(address=spec["ray"], runtime_env={{"env_vars": {{"PYTHONPATH": {repo!r}}}}})
from native_align.config import SparkConfig
from native_align.context import Context
from native_align.rewrite import stage
from native_align.settings import build_settings
from native_align.spark import get_spark
settings = build_settings(spec["settings"])
settings.rewrite.engine_options["driver_pid"] = os.getpid()
spark = get_spark(SparkConfig(master="local[1]", shuffle_partitions=2, driver_memory="1g",
                              local_dir=spec["local_dir"]))
print(stage.run(Context.create(settings, spark=spark)))
"""


@pytest.mark.slow  # 45 s (a driver process of its own); slices themselves: the test above
def test_killed_after_two_slices_keeps_them_and_the_rerun_does_the_rest(ray_local, spark, tmp_path):
    """A driver killed (SIGKILL) right after its second slice was MERGEd: `aligned` holds exactly those two slices,
    and the rerun rewrites only the rest. Tables and staging are file:// URIs (Ray reads and writes them too)."""
    import json
    import subprocess
    import sys

    from native_align.context import Context
    from native_align.settings import build_settings
    from tests.conftest import REPO

    docs = [(f"slice-doc-{i:02d}", f"الوثيقة رقم {i:02d}\n" + t) for i, (_, t) in enumerate(make_docs(7))]
    seen = tmp_path / "seen.log"
    conf = {"tables": {"root": (tmp_path / "tables").as_uri(), "staging_root": (tmp_path / "staging").as_uri()},
            "rewrite": {"engine": "tests.rewrite.slice_engine:SliceKillEngine", "slice_docs": 2, "work_files": 2,
                        "chat_few_shot": False,
                        "engine_options": {"seen_log": str(seen), "model_id": "slicer", "kill_after": 4},
                        "ray": {"actors": 1, "num_cpus_per_actor": 0.5, "batch_size": 2, "show_progress": False}}}
    ctx = Context.create(build_settings(conf), spark=spark)
    write_curated(ctx, docs)

    address = ray_local.get_runtime_context().gcs_address
    spec = {"ray": address, "settings": conf, "local_dir": str(tmp_path / "spark-local")}
    proc = subprocess.run([sys.executable, "-c", SLICE_DRIVER.format(repo=str(REPO)), json.dumps(spec)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=1200)
    out = proc.stdout + proc.stderr
    assert proc.returncode == -9, out[-4000:]  # killed by the engine, not finished
    assert "slice 1/4 merged: 2 documents" in out and "slice 2/4 merged: 2 documents" in out, out[-4000:]
    assert "slice 3/4 merged" not in out

    first = set(seen.read_text(encoding="utf-8").splitlines())
    assert len(first) == 4  # two slices of two
    kept = sorted(r["doc_id"] for r in ctx.tables.read("aligned").collect())
    assert kept == sorted(d for d, t in docs if t.splitlines()[0] in first)

    ctx.settings.rewrite.engine_options = {"seen_log": str(seen), "model_id": "slicer"}  # no kill this time
    seen.unlink()
    counts = stage.run(ctx)
    assert counts["rewrite_work"] == 3 and counts["rewrite_slices"] == 2 and counts["rewrite_merged"] == 3
    second = set(seen.read_text(encoding="utf-8").splitlines())
    assert len(second) == 3 and not second & first  # nothing of the first two slices was rewritten again
    rows = ctx.tables.read("aligned")
    assert rows.count() == len(docs) and rows.select("doc_id").distinct().count() == len(docs)
    assert not any(f.endswith(".parquet") for _, _, fs in os.walk(tmp_path / "staging") for f in fs)
