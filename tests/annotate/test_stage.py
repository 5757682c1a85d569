"""Expert annotation against a real local OpenAI-compatible server: accounting, caching, budget, secrecy."""

from __future__ import annotations

import logging
from pathlib import Path

from pyspark.sql import functions as F

from native_align.annotate import stage as annotate
from native_align.seed import stage
from native_align.annotate.config import ExpertConfig
from native_align.seed.config import SeedConfig
from native_align.annotate.schema import SEED_PAIRS_SCHEMA
from tests.support.corpus import make_docs, write_curated
from tests.support.openai_server import OpenAIServer, clean_rewrite, last_user_content

KEY_ENV = "NA_TEST_EXPERT_KEY"
KEY = "sk-live-DISTINCTIVE-0xC0FFEE-a1b2c3d4e5"


def _configure(ctx, server, **expert):
    ctx.settings.seed = SeedConfig(size=1000, min_chars=50, strategy="random")
    opts = dict(base_url=server.base_url, model="expert-test", api_key_env=KEY_ENV, max_concurrency=4,
                timeout_s=2.0, max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05, max_total_attempts=8,
                price_input_per_1m=2.0, price_output_per_1m=8.0, write_every=16)
    opts.update(expert)
    ctx.settings.expert = ExpertConfig(**opts)


def _pairs(ctx):
    return {r["doc_id"]: r.asDict() for r in ctx.tables.read("seed_pairs").collect()}


def test_skips_cleanly_without_endpoint(ctx, caplog):
    caplog.set_level(logging.INFO)
    assert annotate.run(ctx) == {"skipped": 1}
    assert not ctx.tables.exists("seed_pairs")
    assert any("expert.base_url is not set" in r.getMessage() for r in caplog.records)


def test_failures_accounted_cached_and_key_never_leaks(ctx, monkeypatch, caplog, capfd, tmp_path):
    monkeypatch.setenv(KEY_ENV, KEY)
    caplog.set_level(logging.DEBUG)
    for noisy in ("py4j", "py4j.clientserver", "py4j.java_gateway"):  # Spark's RPC chatter: slow, irrelevant
        caplog.set_level(logging.WARNING, logger=noisy)
    docs = make_docs(24)
    docs[5]["text"] += "\nPOISON"  # this one always gets HTTP 500
    write_curated(ctx, docs)
    with OpenAIServer(fail_rate=0.3, seed=3, slow_s=2.5, always_fail=["POISON"]) as server:
        _configure(ctx, server)
        assert stage.run(ctx)["seed_docs"] == 24
        counts = annotate.run(ctx)
        first = _pairs(ctx)
        outcomes = {r.outcome for r in server.records}
        assert {"429", "500", "timeout", "malformed"} <= outcomes
        assert all(a == f"Bearer {KEY}" for a in server.authorizations())

        # every seed doc accounted for: a row, a status, and a reason unless ok
        assert set(first) == {d["doc_id"] for d in docs}
        assert counts["ok"] + counts["rejected"] + counts["failed"] == 24
        assert counts["http_attempts"] == server.total_requests
        for row in first.values():
            assert row["status"] in ("ok", "rejected", "failed"), row
            assert row["attempts"] >= 1
            if row["status"] != "ok":
                assert row["reasons"], row
        poison = first["doc-0005"]
        assert poison["status"] == "failed" and poison["attempts"] == 4
        assert "gave up after 4 attempts: HTTP 500" in poison["reasons"][0]
        ok = [r for r in first.values() if r["status"] == "ok"]
        assert len(ok) >= 20
        assert all(r["cost_usd"] > 0 and r["prompt_tokens"] > 0 for r in ok)
        assert all("0555123456" not in r["rewrite"] for r in ok)

        # rerun: zero requests for docs annotated ok; the failed one is retried (4 more attempts, total 8)
        server.reset_log()
        again = annotate.run(ctx)
        assert server.total_requests == 4
        assert {r.content for r in server.records} == {r.content for r in server.records if "POISON" in r.content}
        assert again["cached"] == 23 and again["requested_docs"] == 1
        second = _pairs(ctx)
        assert second["doc-0005"]["attempts"] == 8 and second["doc-0005"]["status"] == "failed"
        assert {k: v["rewrite"] for k, v in second.items() if v["status"] == "ok"} == \
               {k: v["rewrite"] for k, v in first.items() if v["status"] == "ok"}

        # third run: the failed doc has used max_total_attempts: no request at all
        server.reset_log()
        third = annotate.run(ctx)
        assert server.total_requests == 0 and third["requested_docs"] == 0

    # the key is in no log line, no output, no table cell, no file under the work dir
    out, err = capfd.readouterr()
    assert KEY not in out and KEY not in err
    assert all(KEY not in rec.getMessage() and KEY not in str(rec.args) for rec in caplog.records)
    df = ctx.tables.read("seed_pairs")
    as_text = df.select(F.concat_ws("\u0001", *[F.coalesce(F.col(c).cast("string"), F.lit(""))
                                                 for c in df.columns]).alias("row"))
    assert as_text.where(F.col("row").contains(KEY)).count() == 0
    assert df.count() == 24
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in repr(ctx.settings.expert) and KEY not in ctx.settings.expert.model_dump_json()


def test_budget_cap_stops_cleanly_and_rerun_continues(ctx, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    docs = make_docs(12, seed=1)
    write_curated(ctx, docs)
    with OpenAIServer() as server:
        # ~1000 prompt tokens (system + few-shot) per request at $100/1M in: each doc costs ~ $0.1
        _configure(ctx, server, price_input_per_1m=100.0, price_output_per_1m=100.0, budget_usd=0.5,
                   max_concurrency=2, write_every=6)
        stage.run(ctx)
        counts = annotate.run(ctx)
        rows = _pairs(ctx)
        assert len(rows) == 12
        ok = [r for r in rows.values() if r["status"] == "ok"]
        skipped = [r for r in rows.values() if r["status"] == "skipped_budget"]
        assert ok and skipped and len(ok) + len(skipped) == 12
        assert counts["skipped_budget"] == len(skipped) and counts["ok"] == len(ok)
        assert server.total_requests == len(ok)  # skipped docs were never sent
        assert sum(r["cost_usd"] for r in ok) <= 0.5
        assert all(r["reasons"] == [annotate.BUDGET_REASON] and r["attempts"] == 0 for r in skipped)
        # the cut is a prefix of the deterministic sample order
        order = [r["doc_id"] for r in ctx.tables.read("seed").orderBy("sample_key", "doc_id").collect()]
        assert {r["doc_id"] for r in ok} == set(order[:len(ok)])

        # a rerun with more budget sends only the skipped docs
        server.reset_log()
        ctx.settings.expert.budget_usd = 100.0
        again = annotate.run(ctx)
        assert server.total_requests == len(skipped) and again["ok"] == len(skipped)
        assert {r["status"] for r in _pairs(ctx).values()} == {"ok"}


def test_plan_copies_identical_text_without_request(ctx, spark):
    seed = spark.createDataFrame([("a", "h1", "t", 1), ("b", "h1", "t", 2), ("c", "h2", "u", 3),
                                  ("d", "h3", "v", 4), ("e", "h4", "w", 5)],
                                 "doc_id string, content_hash string, text string, sample_key long")
    pairs = spark.createDataFrame([
        ("a", "h1", "m", "p", "t", "T", "ok", [], 1, 1, 0.1, 1, "stop", None, "r"),
        ("c", "h2", "m", "p", "u", None, "failed", ["x"], 0, 0, 0.0, 8, None, None, "r"),
        ("d", "h3", "m", "p", "v", None, "failed", ["x"], 0, 0, 0.0, 3, None, None, "r"),
        ("e", "h4", "m", "OTHER", "w", "W", "ok", [], 1, 1, 0.1, 1, "stop", None, "r"),
    ], SEED_PAIRS_SCHEMA)
    plan = {r["doc_id"]: r["action"] for r in annotate.plan_annotation(seed, pairs, "m", "p", 8).collect()}
    assert plan == {"a": "done", "b": "copy", "c": "done", "d": "request", "e": "request"}


def test_failed_retry_keeps_the_stored_rewrite(ctx, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    docs = make_docs(4, seed=2)
    docs[1]["text"] += "\nSHORTEN"

    def reply(messages):  # the expert cuts this one short: guardrails reject it (too_short)
        text = clean_rewrite(messages)
        return text[:30] if "SHORTEN" in last_user_content(messages) else text

    write_curated(ctx, docs)
    with OpenAIServer(reply_fn=reply) as server:
        _configure(ctx, server, max_attempts=2, max_total_attempts=5, retry_rejected=True)
        stage.run(ctx)
        annotate.run(ctx)
        first = _pairs(ctx)["doc-0001"]
        assert first["status"] == "rejected" and "too_short" in first["reasons"] and first["rewrite"]

        server.always_fail = ("SHORTEN",)  # the retries now fail
        for run_no in (2, 3):
            annotate.run(ctx)
            row = _pairs(ctx)["doc-0001"]
            assert row["status"] == "rejected" and row["rewrite"] == first["rewrite"], run_no
            assert row["reasons"][:-1] == first["reasons"]  # the guardrail codes, then the latest retry only
            assert row["reasons"][-1].startswith("retry failed: gave up after 2 attempts: HTTP 500")
            assert row["attempts"] == 1 + 2 * (run_no - 1)
        server.reset_log()
        annotate.run(ctx)  # 5 attempts = max_total_attempts: not asked again
        assert server.total_requests == 0
    assert {r["status"] for k, r in _pairs(ctx).items() if k != "doc-0001"} == {"ok"}


def test_azure_expert_stores_the_configured_name_and_warns_on_a_useless_budget(ctx, monkeypatch, caplog):
    monkeypatch.setenv(KEY_ENV, KEY)
    caplog.set_level(logging.INFO)
    write_curated(ctx, make_docs(3, seed=4))
    path = "/srv/models/polish-expert.Q4_K_M.gguf"
    with OpenAIServer(reported_model=path) as server:
        _configure(ctx, server, base_url=server.root_url, url_style="azure", deployment="polish",
                   api_version="2024-10-21", model=path, budget_usd=5.0, price_input_per_1m=0.0,
                   price_output_per_1m=0.0)
        stage.run(ctx)
        counts = annotate.run(ctx)
        records = server.records
    assert counts["ok"] == 3 and counts["concurrency_limit"] >= 1
    assert {r.path for r in records} == {"/openai/deployments/polish/chat/completions"}
    assert all(r.query == {"api-version": "2024-10-21"} and r.headers.get("api-key") == KEY for r in records)
    assert {r["model"] for r in _pairs(ctx).values()} == {"polish-expert.Q4_K_M"}  # never the server's path
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("budget_usd is $5 but" in m and "can never stop the run" in m for m in warned), warned
