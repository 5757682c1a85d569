"""The actor's callable class in-process: per-document fault isolation, pieces, statuses, Arrow output."""

from __future__ import annotations

import pyarrow as pa

from native_align.rewrite.config import RewriteConfig
from native_align.rewrite.schema import result_arrow_schema
from native_align.rewrite.worker import RewriteWorker
from tests.rewrite.conftest import AR_PARAS


def _worker(tiny_lm, **extra) -> RewriteWorker:
    cfg = {"chat_few_shot": False,
           "transformers": {"model": tiny_lm, "device": "cpu", "max_new_tokens_cap": 6, "min_new_tokens_cap": 2,
                            "batch_size": 4, "do_sample": True, "context_length": 1024}}
    cfg.update(extra)
    return RewriteWorker(RewriteConfig.model_validate(cfg))


def test_bad_document_does_not_fail_its_batch(tiny_lm):
    # No splitting allowed (huge piece budget): the giant document cannot fit the context and must fail alone.
    worker = _worker(tiny_lm, max_piece_tokens=100_000)
    docs = {"a": AR_PARAS[0], "giant": " ".join(AR_PARAS * 80), "b": "\n".join(AR_PARAS[1:3]), "blank": ""}
    table = worker(pa.table({"doc_id": list(docs), "text": list(docs.values())}))
    assert table.schema.equals(result_arrow_schema())
    rows = {r["doc_id"]: r for r in table.to_pylist()}
    assert set(rows) == set(docs)
    assert rows["giant"]["status"] == "error" and rows["giant"]["reasons"] == ["engine_error"]
    assert "exceeds the context" in rows["giant"]["error"] and rows["giant"]["rewrite"] is None
    assert rows["blank"]["status"] == "error" and rows["blank"]["reasons"] == ["empty_input"]
    for d in ("a", "b"):
        assert rows[d]["status"] in ("ok", "rejected") and rows[d]["completion_tokens"] > 0
        assert rows[d]["original_text"] == docs[d]


def test_piece_budget_from_context_and_piecewise_rewrite(tiny_lm):
    worker = _worker(tiny_lm)
    overhead = worker._prompt_overhead()
    p = worker.max_piece_tokens
    assert p + worker.engine.max_new_tokens_for(p) + overhead <= worker.engine.context_length
    long_doc = "\n".join(f"{para} ({k})" for k, para in enumerate(AR_PARAS * 12))
    [res] = worker.rewrite(["long"], [long_doc])
    assert res.pieces > 1 and res.status in ("ok", "rejected")
    assert res.prompt_tokens > p  # all pieces' prompts are counted
