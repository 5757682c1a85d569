"""Worker training on CPU with the tiny local LM: masking, falling loss, checkpoints/resume, engine loading."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")

from native_align.rewrite.prompts import parse_prompt  # noqa: E402
from native_align.seed.config import TrainConfig  # noqa: E402
from native_align.seed.export_pairs import chat_record  # noqa: E402
from native_align.seed.train import IGNORE, encode_example, latest_checkpoint, train_worker  # noqa: E402
from tests.seed.conftest import make_docs  # noqa: E402
from tests.support.openai_server import clean_rewrite  # noqa: E402

# A short template keeps the tiny model's sequences (and the CPU test) small; the real one is ~1000 tokens.
SHORT_PROMPT = """name: short_test
system: |
  حرر النص.
user: |
  <text>
  {text}
  </text>
"""


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    from tests.support.tiny_lm import build_tiny_lm

    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"))


@pytest.fixture(scope="module")
def prompt():
    return parse_prompt(SHORT_PROMPT)


@pytest.fixture(scope="module")
def pairs_dir(tmp_path_factory, prompt):
    """chat JSONL in export-pairs' format: crafted docs and the test server's deterministic 'rewrite'."""
    out = tmp_path_factory.mktemp("pairs")
    (out / "chat").mkdir()
    for split, docs in (("train", make_docs(12, seed=5)), ("validation", make_docs(2, seed=6))):
        with open(out / "chat" / f"{split}.jsonl", "w", encoding="utf-8") as fh:
            for d in docs:
                # shorter originals: the first two sentences (+ an ad line the rewrite drops)
                original = "\n".join(d["text"].splitlines()[:2] + ["اتصل الآن 0501234567"])
                row = {"doc_id": d["doc_id"], "original": original,
                       "rewrite": clean_rewrite(prompt.messages(original)), "prompt_version": prompt.version,
                       "model": "expert"}
                fh.write(json.dumps(chat_record(prompt, row), ensure_ascii=False) + "\n")
    return out


def test_loss_mask_covers_only_the_rewrite(tiny_lm, pairs_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_lm)
    msgs = json.loads((pairs_dir / "chat" / "train.jsonl").read_text(encoding="utf-8").splitlines()[0])["messages"]
    ex = encode_example(tok, msgs, 4096)
    target = [i for i, lab in zip(ex["input_ids"], ex["labels"]) if lab != IGNORE]
    first = ex["labels"].index(next(lab for lab in ex["labels"] if lab != IGNORE))
    assert all(lab == IGNORE for lab in ex["labels"][:first])
    assert tok.decode(target).strip() == msgs[-1]["content"] + "<|im_end|>"
    assert "0501234567" not in tok.decode(target)
    assert encode_example(tok, msgs, 10) is None  # too long: dropped, never truncated


def test_lora_loss_falls_and_worker_loads_in_rewrite_engine(tiny_lm, pairs_dir, tmp_path):
    cfg = TrainConfig(method="lora", max_steps=36, learning_rate=5e-3, per_device_batch_size=2,
                      gradient_accumulation_steps=1, logging_steps=1, save_steps=18, lora_r=8, lora_alpha=16,
                      lora_dropout=0.0, warmup_ratio=0.0, lr_scheduler="constant", max_seq_len=1024)
    res = train_worker(cfg, pairs_dir=pairs_dir, output_dir=tmp_path / "worker", base_model=tiny_lm)
    assert res.global_step == 36 and len(res.losses) == 36
    first, last = sum(res.losses[:5]) / 5, sum(res.losses[-5:]) / 5
    assert last < first, (first, last)
    assert 0 < res.trainable_params < res.total_params
    assert res.eval_loss is not None and res.validation_examples == 2
    assert latest_checkpoint(tmp_path / "worker" / "checkpoints").endswith("checkpoint-36")
    assert not (tmp_path / "worker" / "adapter_config.json").exists()  # merged: a plain model dir

    from native_align.rewrite.engines.transformers_engine import GenerationOptions, TransformersEngine

    engine = TransformersEngine.load(str(tmp_path / "worker"), device="cpu",
                                     options=GenerationOptions(max_new_tokens_cap=12, batch_size=2))
    assert engine.prompt_format == "chat"
    msgs = json.loads((pairs_dir / "chat" / "validation.jsonl").read_text(encoding="utf-8").splitlines()[0])
    gens = engine.generate([msgs["messages"][:-1]] * 2)
    assert all(g.error is None and g.completion_tokens > 0 for g in gens)


def test_full_finetune_resumes_from_checkpoint(tiny_lm, pairs_dir, tmp_path):
    out = tmp_path / "full"
    cfg = TrainConfig(method="full", max_steps=6, learning_rate=1e-3, per_device_batch_size=2,
                      gradient_accumulation_steps=1, logging_steps=1, save_steps=3, max_seq_len=1024)
    first = train_worker(cfg, pairs_dir=pairs_dir, output_dir=out, base_model=tiny_lm)
    assert first.global_step == 6 and first.trainable_params == first.total_params
    cfg.max_steps, cfg.resume_from_checkpoint = 9, True
    second = train_worker(cfg, pairs_dir=pairs_dir, output_dir=out, base_model=tiny_lm)
    assert second.resumed_from.endswith("checkpoint-6")
    assert second.global_step == 9
    summary = json.loads((out / "training_summary.json").read_text())
    assert summary["global_step"] == 9
