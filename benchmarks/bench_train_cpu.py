"""The CPU worker recipe's training cost: seconds per example, tokens/s and peak memory on this machine.

Two measurements in one run, on the same pairs (``export-pairs`` output) and the same loaded model:
1. per-example step time of full-logit loss (the baseline) and of the recipe's rewrite-only logits
   (``native_align.train.trainer.completion_loss``), batch 1, AdamW, a few steps each after one warm-up step; the
   ratio is what computing logits only where the loss needs them saves;
2. ``--recipe``: the whole recipe through ``train_worker`` (conf/recipes/worker-cpu.yaml), printing its
   training_summary.json figures (wall seconds, tokens/s, rewrite tokens/s, peak RSS).

    python benchmarks/bench_train_cpu.py --pairs-dir work/pairs               # step-time ratio (~5 min)
    python benchmarks/bench_train_cpu.py --pairs-dir work/pairs --recipe      # + the full recipe (~45 min)

The model is the shipped Gemma 3 270M base unless ``--base-model`` names another (a GPU run of the same recipe is
``native-align train-worker`` on a GPU box; see benchmarks/bench_train_gpu.py for LoRA throughput there).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path


def step_times(model, dataset, collate, loss_fn, n: int) -> list[float]:
    import torch

    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-6)
    times = []
    for i in range(n + 1):  # the first step warms allocators and kernels: not counted
        batch = collate([dataset[i % len(dataset)]])
        t0 = time.perf_counter()
        loss_fn(model, batch).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if i:
            times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pairs-dir", required=True, help="export-pairs output (chat/train.jsonl)")
    p.add_argument("--base-model", default=None, help="default: the reference model (Gemma 3 270M GGUF)")
    p.add_argument("--steps", type=int, default=8, help="timed steps per variant")
    p.add_argument("--recipe", action="store_true", help="also run the whole CPU recipe")
    p.add_argument("--output-dir", default="work/bench/worker", help="where --recipe saves the worker")
    ns = p.parse_args()

    import torch

    from native_align.settings import load_settings
    from native_align.train.data import PadCollator, encode_all, read_conversations
    from native_align.train.model import load_base, resolve_base
    from native_align.train.trainer import completion_loss, train_worker

    recipe = Path(__file__).resolve().parent.parent / "conf" / "recipes" / "worker-cpu.yaml"
    cfg = load_settings("local", recipe).train
    where, gguf, label = resolve_base(ns.base_model or cfg.base_model, cfg.gguf_file)
    t0 = time.perf_counter()
    model, tokenizer, _ = load_base(cfg, where, gguf)
    print(f"model {label}: loaded in {time.perf_counter() - t0:.1f}s, {torch.get_num_threads()} threads")
    dataset, _ = encode_all(tokenizer, read_conversations(Path(ns.pairs_dir) / "chat" / "train.jsonl"),
                            cfg.max_seq_len)
    tokens = statistics.median(len(e["input_ids"]) for e in dataset.examples[: ns.steps + 1])
    collate = PadCollator(tokenizer.pad_token_id)
    model.train()
    full = step_times(model, dataset, collate, lambda m, b: m(**b).loss, ns.steps)
    ours = step_times(model, dataset, collate, lambda m, b: completion_loss(m, b)[0], ns.steps)
    f, o = statistics.median(full), statistics.median(ours)
    print(f"step (batch 1, median {tokens:.0f} tokens): full logits {f:.2f}s, rewrite-only logits {o:.2f}s "
          f"-> {o / f:.2f}x the baseline")
    print(f"peak RSS so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    if not ns.recipe:
        return 0
    del model
    t0 = time.perf_counter()
    result = train_worker(cfg, pairs_dir=ns.pairs_dir, output_dir=ns.output_dir, base_model=ns.base_model)
    wall = time.perf_counter() - t0
    print(json.dumps({"wall_seconds_incl_load_and_save": round(wall, 1), "train_seconds": round(result.seconds, 1),
                      "examples": result.global_step * cfg.gradient_accumulation_steps * cfg.per_device_batch_size,
                      "tokens_per_second": round(result.tokens_per_second, 1),
                      "rewrite_tokens_per_second": round(result.target_tokens_per_second, 1),
                      "peak_rss_gib": round(result.peak_rss_gib, 2), "loss_first": result.losses[:1],
                      "loss_last": result.losses[-1:], "eval_loss": result.eval_loss}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
