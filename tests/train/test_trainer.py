"""Worker training on CPU with the tiny local LM: masking, falling loss, checkpoints/resume, engine loading."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")

from native_align.train.config import TrainConfig  # noqa: E402
from native_align.train.data import IGNORE, encode_example  # noqa: E402
from native_align.train.model import latest_checkpoint  # noqa: E402
from native_align.train.trainer import train_worker  # noqa: E402


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
    assert first.worker_id != second.worker_id  # other weights in the same folder: another model id
    assert summary["worker_id"] == second.worker_id and summary["tokens_per_second"] > 0


def test_completion_loss_equals_the_full_logits_loss(tiny_lm, pairs_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from native_align.train.data import PadCollator, encode_all, read_conversations
    from native_align.train.trainer import completion_loss

    tok = AutoTokenizer.from_pretrained(tiny_lm)
    model = AutoModelForCausalLM.from_pretrained(tiny_lm, dtype=torch.float32).eval()
    ds, _ = encode_all(tok, read_conversations(pairs_dir / "chat" / "train.jsonl"), 1024)
    batch = PadCollator(tok.pad_token_id)([ds[0], ds[1], ds[2]])
    with torch.no_grad():
        ours, _ = completion_loss(model, batch)
        full = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"])
    assert torch.isclose(ours, full.loss, atol=1e-5), (ours, full.loss)


def test_worker_is_prompted_as_trained(tiny_lm, pairs_dir, tmp_path, prompt):
    from native_align.alignment.worker_record import WorkerRecordError, read_record
    from native_align.rewrite.config import RewriteConfig
    from native_align.rewrite.engines import model_id
    from native_align.rewrite.prompting import resolve_prompt

    out = tmp_path / "worker"
    cfg = TrainConfig(method="full", max_steps=2, per_device_batch_size=2, gradient_accumulation_steps=1,
                      save_steps=10, max_seq_len=1024)
    res = train_worker(cfg, pairs_dir=pairs_dir, output_dir=out, base_model=tiny_lm)
    record = read_record(out)
    assert record.worker_id == res.worker_id and record.worker_id.startswith("worker@")
    assert record.prompt_version == prompt.version and record.few_shot is False

    rw = RewriteConfig.model_validate({"transformers": {"model": str(out)}})
    resolved = resolve_prompt(rw)
    assert resolved.template.version == prompt.version and resolved.few_shot is False
    assert model_id(rw) == record.worker_id
    for bad, named in (({"prompt": "polish_v1"}, "rewrite.prompt"), ({"chat_few_shot": True}, "chat_few_shot"),
                       ({"transformers": {"model": str(out), "prompt_format": "completion"}}, "prompt_format")):
        conflicting = RewriteConfig.model_validate({"transformers": {"model": str(out)}, **bad})
        with pytest.raises(WorkerRecordError, match=named) as err:
            resolve_prompt(conflicting)
        assert record.prompt_version in str(err.value) or "few_shot" in str(err.value) or "chat" in str(err.value)
