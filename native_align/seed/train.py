"""``native-align train-worker``: fine-tune an alignment worker on the expert's (original, rewrite) pairs.

The paper fine-tuned Qwen1.5-4B-Chat on GPT-4 rewrites; here any causal LM works (transformers ``Trainer``; LoRA
via peft, or full fine-tuning). Choices, and why:
- The conversation is rendered with the tokenizer's chat template exactly as the rewrite stage's transformers
  engine renders its prompt (a system turn folded into the first user turn when the template rejects system
  roles), so the worker is trained on the prompt it will see. A tokenizer without a chat template gets a ChatML
  template, saved with the model, so the engine picks the same chat format when it loads the worker.
- Loss only on the rewrite: labels are -100 on every prompt token; the model learns to polish, not to recite
  the rules. Examples longer than ``max_seq_len`` are dropped and counted (truncating would cut the target off
  from its source).
- Checkpoints go to ``<output_dir>/checkpoints``; ``resume_from_checkpoint`` continues from the newest one.
- The final model (LoRA merged into the base weights by default) and tokenizer are saved at ``output_dir``, so
  ``TransformersEngine.load(output_dir)`` loads it as it is; ``training_summary.json`` records the run.

Imports only torch, transformers and peft (no Spark): training runs on a GPU box that has neither Java nor Ray.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

log = logging.getLogger(__name__)

IGNORE = -100
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


# -- data ---------------------------------------------------------------------------------------------------------
def read_conversations(path: str | Path) -> list[list[dict]]:
    """``messages`` lists from a chat JSONL file (export-pairs' format); blank lines skipped."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            msgs = rec.get("messages")
            if not msgs or msgs[-1].get("role") != "assistant":
                raise ValueError(f"{path}:{n}: a record needs messages ending with an assistant turn")
            out.append(msgs)
    return out


def _fold_system(messages: list[dict]) -> list[dict]:
    """Templates that reject a system role (Gemma) get it prepended to the first user turn (as the engine does)."""
    if messages and messages[0]["role"] == "system" and len(messages) > 1:
        system, rest = messages[0]["content"], [dict(m) for m in messages[1:]]
        rest[0]["content"] = system + "\n\n" + rest[0]["content"]
        return rest
    return messages


def _template(tokenizer, messages: list[dict], add_generation_prompt: bool) -> str:
    try:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    except Exception:
        return tokenizer.apply_chat_template(_fold_system(messages), tokenize=False,
                                             add_generation_prompt=add_generation_prompt)


def ensure_chat_template(tokenizer) -> bool:
    """Give a template-less tokenizer ChatML (returns True when it did)."""
    if getattr(tokenizer, "chat_template", None):
        return False
    tokenizer.chat_template = CHATML_TEMPLATE
    return True


def encode_example(tokenizer, messages: Sequence[dict], max_seq_len: int) -> dict[str, list[int]] | None:
    """input_ids + labels (-100 on the prompt) for one conversation; None when longer than ``max_seq_len``."""
    messages = [dict(m) for m in messages]
    prompt_text = _template(tokenizer, messages[:-1], add_generation_prompt=True)
    full_text = _template(tokenizer, messages, add_generation_prompt=False)
    if full_text.startswith(prompt_text):
        completion_text = full_text[len(prompt_text):]
    else:  # unusual template: the answer plus EOS
        completion_text = messages[-1]["content"] + (tokenizer.eos_token or "")
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    completion_ids = tokenizer(completion_text, add_special_tokens=False)["input_ids"]
    eos = tokenizer.eos_token_id
    if eos is not None and eos not in completion_ids:
        completion_ids = completion_ids + [eos]  # the worker must learn to stop
    ids = prompt_ids + completion_ids
    if len(ids) > max_seq_len:
        return None
    return {"input_ids": ids, "labels": [IGNORE] * len(prompt_ids) + completion_ids}


class PairDataset:
    """A list-backed torch-style dataset of encoded examples (the seed is small: thousands, not millions)."""

    def __init__(self, examples: list[dict[str, list[int]]]):
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        return self.examples[i]


def encode_all(tokenizer, conversations: list[list[dict]], max_seq_len: int) -> tuple[PairDataset, int]:
    encoded = [encode_example(tokenizer, c, max_seq_len) for c in conversations]
    kept = [e for e in encoded if e is not None]
    return PairDataset(kept), len(encoded) - len(kept)


@dataclass
class PadCollator:
    """Right-pads a batch; labels padded with -100, attention mask 0 on padding."""

    pad_id: int

    def __call__(self, batch: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        width = max(len(b["input_ids"]) for b in batch)
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for r, b in enumerate(batch):
            n = len(b["input_ids"])
            ids[r, :n] = torch.tensor(b["input_ids"])
            labels[r, :n] = torch.tensor(b["labels"])
            mask[r, :n] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}


# -- model --------------------------------------------------------------------------------------------------------
def _precision(cfg) -> tuple[bool, bool]:
    """(bf16, fp16) Trainer flags."""
    import torch

    if cfg.precision == "bf16":
        return True, False
    if cfg.precision == "fp16":
        return False, True
    if cfg.precision == "auto" and torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return True, False
    return False, False


def load_base(cfg, base_model: str):
    """(model, tokenizer, added_template) with LoRA adapters attached when ``cfg.method == 'lora'``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model)
    added = ensure_chat_template(tokenizer)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    bf16, fp16 = _precision(cfg)
    # Weights stay fp32 for full fine-tuning (mixed precision autocasts); LoRA may load the frozen base in bf16.
    dtype = torch.bfloat16 if (cfg.method == "lora" and bf16) else torch.float32
    model = AutoModelForCausalLM.from_pretrained(base_model, dtype=dtype)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.config.use_cache = False
    if cfg.method == "lora":
        from peft import LoraConfig, get_peft_model

        if cfg.gradient_checkpointing:
            model.enable_input_require_grads()
        lora = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                          target_modules=cfg.lora_target_modules, task_type="CAUSAL_LM")
        model = get_peft_model(model, lora)
    return model, tokenizer, added


def latest_checkpoint(checkpoint_dir: str | Path) -> str | None:
    d = Path(checkpoint_dir)
    if not d.is_dir():
        return None
    found = [(int(p.name.split("-")[-1]), p) for p in d.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return str(max(found)[1]) if found else None


# -- training -----------------------------------------------------------------------------------------------------
@dataclass
class TrainResult:
    output_dir: str
    base_model: str
    method: str
    train_examples: int
    validation_examples: int
    dropped_too_long: int
    global_step: int
    losses: list[float] = field(default_factory=list)
    eval_loss: float | None = None
    seconds: float = 0.0
    resumed_from: str | None = None
    trainable_params: int = 0
    total_params: int = 0


def train_worker(cfg, *, pairs_dir: str | Path | None = None, output_dir: str | Path | None = None,
                 base_model: str | None = None) -> TrainResult:
    """Fine-tune ``cfg.base_model`` on ``<pairs_dir>/chat/train.jsonl`` and save a loadable model dir."""
    from transformers import Trainer, TrainingArguments, set_seed

    base_model = base_model or cfg.base_model
    if not base_model:
        raise ValueError("train.base_model is not set (an HF model id or a local model folder)")
    pairs = Path(pairs_dir or cfg.pairs_dir)
    out = Path(output_dir or cfg.output_dir)
    train_file, val_file = pairs / "chat" / "train.jsonl", pairs / "chat" / "validation.jsonl"
    if not train_file.is_file():
        raise FileNotFoundError(f"{train_file} not found: run `native-align export-pairs` first")
    set_seed(cfg.seed)
    model, tokenizer, added = load_base(cfg, base_model)
    if added:
        log.info("train-worker: %s has no chat template; using ChatML (saved with the worker)", base_model)
    train_ds, dropped = encode_all(tokenizer, read_conversations(train_file), cfg.max_seq_len)
    val_ds, dropped_val = (encode_all(tokenizer, read_conversations(val_file), cfg.max_seq_len)
                           if val_file.is_file() else (PairDataset([]), 0))
    if dropped + dropped_val:
        log.warning("train-worker: %d examples longer than max_seq_len=%d were left out", dropped + dropped_val,
                    cfg.max_seq_len)
    if not len(train_ds):
        raise ValueError(f"no training example fits max_seq_len={cfg.max_seq_len} in {train_file}")

    bf16, fp16 = _precision(cfg)
    import torch

    has_eval = len(val_ds) > 0
    args = TrainingArguments(
        output_dir=str(out / "checkpoints"),
        per_device_train_batch_size=cfg.per_device_batch_size,
        per_device_eval_batch_size=cfg.per_device_batch_size,
        gradient_accumulation_steps=cfg.gradient_accumulation_steps,
        learning_rate=cfg.learning_rate,
        num_train_epochs=cfg.epochs,
        max_steps=cfg.max_steps,
        lr_scheduler_type=cfg.lr_scheduler,
        warmup_steps=cfg.warmup_ratio,  # transformers 5: a float < 1 is a ratio of the total steps
        weight_decay=cfg.weight_decay,
        logging_steps=cfg.logging_steps,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=cfg.save_total_limit,
        eval_strategy="steps" if (has_eval and cfg.eval_steps) else "no",
        eval_steps=cfg.eval_steps,
        bf16=bf16,
        fp16=fp16,
        use_cpu=not torch.cuda.is_available(),
        seed=cfg.seed,
        report_to="none",
        remove_unused_columns=False,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds if has_eval else None,
                      data_collator=PadCollator(tokenizer.pad_token_id))
    resume: str | bool | None = cfg.resume_from_checkpoint or None
    if resume is True:
        resume = latest_checkpoint(out / "checkpoints")
        if resume is None:
            log.info("train-worker: resume requested but no checkpoint in %s; starting fresh", out / "checkpoints")
    t0 = time.perf_counter()
    trainer.train(resume_from_checkpoint=resume)
    seconds = time.perf_counter() - t0
    eval_loss = trainer.evaluate()["eval_loss"] if has_eval else None
    losses = [float(h["loss"]) for h in trainer.state.log_history if "loss" in h]

    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    final = model
    if cfg.method == "lora" and cfg.merge_lora:
        final = model.merge_and_unload()
    final.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    if getattr(final, "generation_config", None) is not None:
        final.generation_config.pad_token_id = tokenizer.pad_token_id
        final.generation_config.save_pretrained(out)
    result = TrainResult(output_dir=str(out), base_model=base_model, method=cfg.method, train_examples=len(train_ds),
                         validation_examples=len(val_ds), dropped_too_long=dropped + dropped_val,
                         global_step=int(trainer.state.global_step), losses=losses,
                         eval_loss=None if eval_loss is None or math.isnan(eval_loss) else float(eval_loss),
                         seconds=seconds, resumed_from=resume if isinstance(resume, str) else None,
                         trainable_params=int(trainable), total_params=int(total))
    (out / "training_summary.json").write_text(json.dumps(asdict(result), indent=2), encoding="utf-8")
    log.info("train-worker: %d steps in %.1fs, loss %s -> %s; saved %s", result.global_step, seconds,
             f"{losses[0]:.3f}" if losses else "?", f"{losses[-1]:.3f}" if losses else "?", out)
    return result


def cli_main(argv: list[str]) -> int:
    from native_align.cli import add_common_options, common_args

    p = argparse.ArgumentParser(prog="native-align train-worker", description=__doc__.split("\n")[0])
    p.add_argument("--base-model", default=None, help="HF id or local folder (default: train.base_model)")
    p.add_argument("--pairs-dir", default=None, help="export-pairs output (default: train.pairs_dir)")
    p.add_argument("--output-dir", default=None, help="where the worker is saved (default: train.output_dir)")
    p.add_argument("--method", choices=["lora", "full"], default=None)
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--resume", nargs="?", const="latest", default=None,
                   help="continue from the newest checkpoint (or from the given checkpoint folder)")
    add_common_options(p)
    ns = p.parse_args(argv)
    cfg = common_args(ns).settings().train
    if ns.method:
        cfg.method = ns.method
    if ns.max_steps is not None:
        cfg.max_steps = ns.max_steps
    if ns.resume:
        cfg.resume_from_checkpoint = True if ns.resume == "latest" else ns.resume
    result = train_worker(cfg, pairs_dir=ns.pairs_dir, output_dir=ns.output_dir, base_model=ns.base_model)
    print(json.dumps({k: v for k, v in asdict(result).items() if k != "losses"}, indent=2))
    return 0
