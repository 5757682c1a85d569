"""eval worker, the whole loop on the tiny local LM: noise pairs -> train-worker -> rewrite -> scored JSON."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("sacrebleu")

from native_align.alignment.prompts import load_prompt  # noqa: E402
from native_align.alignment.worker_record import read_record  # noqa: E402
from native_align.evaluation.worker import main, read_heldout  # noqa: E402
from native_align.pairs.config import PairsConfig  # noqa: E402
from native_align.pairs.noise.model import NoiseModel  # noqa: E402
from native_align.pairs.stage import pairs_of  # noqa: E402
from native_align.train.config import TrainConfig  # noqa: E402
from native_align.train.export_pairs import chat_record, heldout_record  # noqa: E402
from native_align.train.trainer import train_worker  # noqa: E402
from tests.support.corpus import make_docs  # noqa: E402


def _write(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


@pytest.fixture
def pairs_dir(tmp_path):
    """What `pairs` + `export-pairs` write, made without Spark from crafted documents."""
    cfg = PairsConfig(heldout_fraction=0.3)
    cfg.chunk.min_tokens = 20
    model, prompt = NoiseModel(cfg), load_prompt("worker_v1")
    rows = [r for d in make_docs(36, seed=8) for r in pairs_of(d["doc_id"], d["text"], model, cfg)]
    out = tmp_path / "pairs"
    train = [chat_record(prompt, {**r, "prompt_version": "noise-test", "model": "noise", "origin": "noise"})
             for r in rows if r["split"] == "train"]
    _write(out / "chat" / "train.jsonl", train)
    _write(out / "eval" / "heldout.jsonl", [heldout_record(prompt, r) for r in rows if r["split"] == "heldout"])
    (out / "prompt.yaml").write_text(prompt.text, encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({"few_shot": False}), encoding="utf-8")
    return out


def test_heldout_reading_spreads_a_limit_over_the_pools(pairs_dir):
    every = read_heldout(pairs_dir / "eval" / "heldout.jsonl")
    assert {p["templates"] for p in every} == {"clean", "train", "heldout"}
    few = read_heldout(pairs_dir / "eval" / "heldout.jsonl", 3)
    assert sorted(p["templates"] for p in few) == ["clean", "heldout", "train"]


def test_train_rewrite_eval_round_trip(tiny_lm, pairs_dir, tmp_path):
    worker = tmp_path / "worker"
    cfg = TrainConfig(method="full", max_steps=3, per_device_batch_size=2, gradient_accumulation_steps=1,
                      save_steps=10, max_seq_len=1024, learning_rate=1e-3)
    train_worker(cfg, pairs_dir=pairs_dir, output_dir=worker, base_model=tiny_lm)
    out = tmp_path / "eval.json"
    rc = main(["--pairs-dir", str(pairs_dir), "--worker", str(worker), "--base", tiny_lm, "--limit", "6",
               "--batch", "6", "--out", str(out), "--set", "rewrite.chat_few_shot=false",
               "--set", "rewrite.transformers.device=cpu", "--set", "rewrite.transformers.context_length=1024",
               "--set", "rewrite.transformers.max_new_tokens_cap=8", "--set", "rewrite.transformers.do_sample=true"])
    assert rc == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    base, trained = result["models"]
    assert (base["name"], trained["name"]) == ("base", "worker")
    assert trained["model"] == read_record(worker).worker_id
    for m in (base, trained):
        o = m["overall"]
        assert o["pairs"] == 6 and 0.0 <= o["accepted"] <= 1.0 and m["completion_tokens"] > 0
        assert set(m) >= {"train", "heldout", "clean"}
        assert 0 <= o["chrf"] <= 100 and 0 <= o["do_no_harm_chrf"] <= 100
        for name in ("flagged", "contacts", "ads"):  # what moderation left, by the guardrail's detectors
            assert o[f"{name}_sources"] >= 0
            assert o[f"{name}_left"] is None or 0.0 <= o[f"{name}_left"] <= 1.0
            assert (o[f"{name}_left"] is None) == (o[f"{name}_sources"] == 0)
    # 8 new tokens cannot hold a rewrite of a chunk: the guardrails must say so
    assert trained["overall"]["accepted"] == 0.0 and trained["overall"]["reject_reasons"]
    assert result["examples"] and all(set(e["outputs"]) == {"base", "worker"} for e in result["examples"])
    assert "goals_missed" in result and result["goals_missed"]


def test_moderation_left_per_model_uses_the_guardrail_detectors():
    from types import SimpleNamespace

    from native_align.evaluation.worker import leftovers, score
    from native_align.moderation.removable import removal_check

    base = "أعلنت الوزارة افتتاح مستشفى جديد في عام 2015 بسعة 300 سرير."
    sources = [f"{base} للحجز 0551234567 واحجز الآن.", f"{base} وصاح أحدهم: يا ابن الكلب.", base]
    outputs = [f"{base} للحجز ٠٥٥ ١٢٣ ٤٥٦٧.", f"{base} وصاح أحدهم: يا ابن الكلب.", base]
    pairs = [{"source": s, "target": base, "injections": [], "templates": "train"} for s in sources]
    results = [SimpleNamespace(rewrite=o, status="ok", reasons=[], completion_tokens=1) for o in outputs]
    left = leftovers(removal_check(), pairs, results)
    figures = score(pairs, results, [True] * 3, left)
    assert (figures["contacts_sources"], figures["contacts_left"]) == (1, 1.0)  # the phone, in another script
    assert (figures["ads_sources"], figures["ads_left"]) == (1, 0.0)
    assert (figures["flagged_sources"], figures["flagged_left"]) == (1, 1.0)
    assert figures["accepted"] == 1.0 and "removed.insults" in figures  # the existing figures stay
