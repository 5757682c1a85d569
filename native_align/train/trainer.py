"""``native-align train-worker``: fine-tune an alignment worker on (original, rewrite) pairs.

The paper fine-tuned Qwen1.5-4B-Chat on GPT-4 rewrites; here any causal LM works (transformers ``Trainer``; LoRA
via peft, or full fine-tuning), and without ``train.base_model`` the shipped reference model (Gemma 3 270M base,
dequantized from its GGUF). Choices, and why:
- Conversations come from ``export-pairs``, built with the worker's short instruction template (``train.prompt``);
  ``data.py`` renders them exactly as the rewrite engine renders its prompts, loss on the rewrite only.
- Logits only where the loss needs them: the forward pass computes the vocabulary projection for the rewrite's
  positions alone (``logits_to_keep``). With Gemma's 262k vocabulary that projection costs as much as the rest of
  the model, so on a CPU this is most of a step's time for the prompt half of each sequence.
- Checkpoints go to ``<output_dir>/checkpoints``; ``resume_from_checkpoint`` continues from the newest one.
- One process or one per GPU (``train.distributed``: ddp, fsdp; launched by torchrun / accelerate launch, see
  ``distributed.py``): only rank 0 writes the worker folder and its records.
- ``pairs_dir`` and ``output_dir`` may be URIs (``native_align.storage``): pairs are read through it; training writes
  to a local folder (``train.local_dir``) and rank 0 uploads each checkpoint and the final worker.
- The final model (LoRA merged into the base weights by default) and tokenizer are saved at ``output_dir`` with
  ``worker.json`` + ``prompt.yaml`` (``native_align.alignment.worker_record``): the rewrite stage prompts the worker
  as it was trained and stores ``aligned.model`` as ``<folder>@<weights sha>``. ``training_summary.json`` records
  the run (steps, losses, seconds, tokens/s, peak memory).

Imports only torch, transformers and peft (no Spark): training runs on a GPU box that has neither Java nor Ray.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import resource
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from native_align import storage
from native_align.alignment.prompts import PromptTemplate, load_prompt, parse_prompt
from native_align.alignment.worker_record import new_record
from native_align.options import add_common_options, common_args
from native_align.train.data import IGNORE, PairDataset, PadCollator, encode_all, read_conversations
from native_align.train.distributed import (check_launch, current_launch, processes_wanted, relaunch,
                                           trainer_arguments)
from native_align.train.model import latest_checkpoint, load_base, precision, resolve_base
from native_align.train.outputs import checkpoint_upload, fetch_checkpoint, local_work_dir, merge_saved, upload_worker

log = logging.getLogger(__name__)

PAIRS_PROMPT_FILE = "prompt.yaml"
PAIRS_MANIFEST = "manifest.json"


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
    worker_id: str | None = None
    prompt_version: str | None = None
    # Tokens the model saw (prompt + rewrite) and the rewrite tokens the loss was computed on, per second of training.
    tokens_per_second: float = 0.0
    target_tokens_per_second: float = 0.0
    peak_rss_gib: float = 0.0
    # Processes that trained together (train.distributed), and whether this one wrote the worker (rank 0 only).
    distributed: str = "none"
    world_size: int = 1
    saved: bool = True


def completion_loss(model, inputs: dict, num_items_in_batch=None):
    """Mean cross-entropy over the rewrite tokens, with logits computed only from the first position whose next
    token is a label (right padding: one contiguous tail of the batch covers every row's rewrite)."""
    import torch

    labels = inputs["labels"]
    targets = labels[:, 1:]
    has_label = (targets != IGNORE).any(dim=0).nonzero()
    start = int(has_label.min()) if has_label.numel() else targets.shape[1] - 1
    keep = labels.shape[1] - start  # positions start .. T-1 (the last one predicts nothing)
    out = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"], logits_to_keep=keep)
    logits = out.logits[:, :-1].float()
    tail = targets[:, start:]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tail.reshape(-1),
                                             ignore_index=IGNORE, reduction="sum")
    n = num_items_in_batch if num_items_in_batch is not None else (tail != IGNORE).sum()
    return loss / n, out


def _trainer_class():
    from transformers import Trainer

    class CompletionTrainer(Trainer):
        """A Trainer whose loss computes logits only for the rewrite's positions (see :func:`completion_loss`)."""

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            loss, out = completion_loss(model, inputs, num_items_in_batch)
            return (loss, out) if return_outputs else loss

    return CompletionTrainer


def pairs_prompt(pairs: str | Path, fallback: str) -> tuple[PromptTemplate, str, bool]:
    """(template, its YAML text, few_shot) the exported conversations were built with: export-pairs writes them
    beside the JSONL; a folder made by other tools is assumed to follow ``train.prompt`` (logged)."""
    manifest = storage.join(pairs, PAIRS_MANIFEST)
    few_shot = bool(json.loads(storage.read_text(manifest)).get("few_shot", False)) \
        if storage.exists(manifest) else False
    path = storage.join(pairs, PAIRS_PROMPT_FILE)
    if storage.exists(path):
        text = storage.read_text(path)
        return parse_prompt(text, source=str(path)), text, few_shot
    log.warning("train-worker: %s has no %s; recording the worker as trained with train.prompt=%s", pairs,
                PAIRS_PROMPT_FILE, fallback)
    template = load_prompt(fallback)
    return template, template.text, few_shot


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 ** 2)


def _warmup(cfg) -> dict:
    """transformers 5 takes a ratio as ``warmup_steps`` < 1; 4.x has ``warmup_ratio`` for it."""
    import transformers

    major = int(transformers.__version__.split(".")[0])
    return {"warmup_steps": cfg.warmup_ratio} if major >= 5 else {"warmup_ratio": cfg.warmup_ratio}


def train_worker(cfg, *, pairs_dir: str | Path | None = None, output_dir: str | Path | None = None,
                 base_model: str | None = None) -> TrainResult:
    """Fine-tune the base model on ``<pairs_dir>/chat/train.jsonl`` and save a loadable, recorded worker folder."""
    from transformers import TrainingArguments, set_seed

    launch = current_launch()
    check_launch(cfg.distributed, launch)
    where, gguf, label = resolve_base(base_model or cfg.base_model, cfg.gguf_file)
    pairs = str(pairs_dir or cfg.pairs_dir)
    target = str(output_dir or cfg.output_dir)
    out = local_work_dir(target, cfg.local_dir)  # the output folder itself when it is on a local disk
    train_file, val_file = storage.join(pairs, "chat", "train.jsonl"), storage.join(pairs, "chat", "validation.jsonl")
    if not storage.exists(train_file):
        raise FileNotFoundError(f"{train_file} not found: run `native-align export-pairs` first")
    prompt, prompt_yaml, few_shot = pairs_prompt(pairs, cfg.prompt)
    set_seed(cfg.seed)
    t_load = time.perf_counter()
    model, tokenizer, added = load_base(cfg, where, gguf)
    log.info("train-worker: loaded %s in %.1fs", label, time.perf_counter() - t_load)
    if added:
        log.info("train-worker: %s has no chat template; added one (saved with the worker)", label)
    train_ds, dropped = encode_all(tokenizer, read_conversations(train_file), cfg.max_seq_len)
    val_ds, dropped_val = (encode_all(tokenizer, read_conversations(val_file)[: cfg.max_eval_examples],
                                      cfg.max_seq_len) if storage.exists(val_file) else (PairDataset([]), 0))
    if dropped + dropped_val:
        log.warning("train-worker: %d examples longer than max_seq_len=%d were left out", dropped + dropped_val,
                    cfg.max_seq_len)
    if not len(train_ds):
        raise ValueError(f"no training example fits max_seq_len={cfg.max_seq_len} in {train_file}")

    bf16, fp16 = precision(cfg)
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
        **_warmup(cfg),
        **trainer_arguments(cfg),
    )
    trainer_cls = _trainer_class() if cfg.completion_logits_only else __import__("transformers").Trainer
    remote = target if not storage.is_local(target) else None
    callbacks = [checkpoint_upload(storage.join(remote, "checkpoints"))] if remote else []
    trainer = trainer_cls(model=model, args=args, train_dataset=train_ds, callbacks=callbacks,
                          eval_dataset=val_ds if has_eval else None, data_collator=PadCollator(tokenizer.pad_token_id))
    resume: str | bool | None = cfg.resume_from_checkpoint or None
    if resume is True:
        if remote:
            with args.main_process_first(local=True, desc="fetch the newest checkpoint"):
                fetch_checkpoint(storage.join(remote, "checkpoints"), out / "checkpoints")
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
    sharded = launch.distributed and bool(getattr(trainer, "is_fsdp_enabled", False))
    if cfg.distributed == "fsdp" and launch.distributed and not sharded:
        log.warning("train-worker: train.distributed=fsdp but FSDP is not available here (CPU processes): the "
                    "processes trained as DDP replicas")
    if sharded:  # every rank takes part in gathering the full weights; rank 0 writes them
        trainer.save_model(str(out / FSDP_GATHER))
    result = TrainResult(output_dir=target, base_model=label, method=cfg.method, train_examples=len(train_ds),
                         validation_examples=len(val_ds), dropped_too_long=dropped + dropped_val,
                         global_step=int(trainer.state.global_step), losses=losses,
                         eval_loss=None if eval_loss is None or math.isnan(eval_loss) else float(eval_loss),
                         seconds=seconds, resumed_from=resume if isinstance(resume, str) else None,
                         trainable_params=int(trainable), total_params=int(total), prompt_version=prompt.version,
                         peak_rss_gib=_peak_rss_gib(), distributed=cfg.distributed, world_size=launch.world_size,
                         saved=launch.main)
    if launch.main:
        final = merge_saved(cfg, where, gguf, out / FSDP_GATHER) if sharded else model
        if not sharded and cfg.method == "lora" and cfg.merge_lora:
            final = model.merge_and_unload()
        _save_worker(cfg, final, tokenizer, out, prompt, prompt_yaml, few_shot, label, train_ds, trainer, result)
        if remote:
            upload_worker(out, remote)
    if launch.distributed:
        trainer.accelerator.wait_for_everyone()  # no rank returns before the worker folder is complete
    log.info("train-worker: %d steps in %.1fs, loss %s -> %s; %s", result.global_step, seconds,
             f"{losses[0]:.3f}" if losses else "?", f"{losses[-1]:.3f}" if losses else "?",
             f"saved {target} as {result.worker_id}" if launch.main else f"rank {launch.rank}: rank 0 saves")
    return result


FSDP_GATHER = "_fsdp_full"


def _save_worker(cfg, final, tokenizer, out: Path, prompt, prompt_yaml: str, few_shot: bool, label: str,
                 train_ds, trainer, result: TrainResult) -> None:
    """Rank 0: weights, tokenizer, generation config, worker.json + prompt.yaml, training_summary.json."""
    from native_align.lm.reference import forget_gguf_quantization

    forget_gguf_quantization(final)
    final.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    if getattr(final, "generation_config", None) is not None:
        final.generation_config.pad_token_id = tokenizer.pad_token_id
        final.generation_config.save_pretrained(out)
    # Examples per optimizer step: every process's batch (world_size is 1 without a launcher).
    examples_seen = min(len(train_ds), max(1, trainer.state.global_step) * cfg.per_device_batch_size
                        * cfg.gradient_accumulation_steps * max(1, result.world_size))
    seen = sum(len(e["input_ids"]) for e in train_ds.examples) * examples_seen / len(train_ds)
    target = sum(sum(1 for x in e["labels"] if x != IGNORE) for e in train_ds.examples) * examples_seen / len(train_ds)
    epochs_done = trainer.state.epoch or 1.0
    if epochs_done > 1:
        seen, target = seen * epochs_done, target * epochs_done
    record = new_record(out, base_model=label, prompt=prompt, few_shot=few_shot,
                        chat_template=getattr(tokenizer, "chat_template", None), method=cfg.method,
                        origins=list(cfg.origins), train_examples=len(train_ds))
    record.save(out, prompt_yaml)
    result.worker_id = record.worker_id
    result.tokens_per_second = seen / max(result.seconds, 1e-9)
    result.target_tokens_per_second = target / max(result.seconds, 1e-9)
    (out / "training_summary.json").write_text(json.dumps(asdict(result), indent=2), encoding="utf-8")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="native-align train-worker", description=__doc__.split("\n")[0])
    p.add_argument("--base-model", default=None, help="HF id or local folder (default: train.base_model, else the "
                                                      "shipped Gemma 3 270M reference model)")
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
    if not current_launch().distributed and processes_wanted(cfg) > 1:
        return relaunch(argv, processes_wanted(cfg))
    result = train_worker(cfg, pairs_dir=ns.pairs_dir, output_dir=ns.output_dir, base_model=ns.base_model)
    print(json.dumps({k: v for k, v in asdict(result).items() if k != "losses"}, indent=2))
    return 0


if __name__ == "__main__":  # `torchrun --nproc_per_node N -m native_align.train.trainer ...`: no Spark needed
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(main(sys.argv[1:]))
