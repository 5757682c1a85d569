"""LoRA fine-tuning throughput of an alignment worker-sized model: tokens/s on one GPU.

Builds a ~0.5B-parameter Qwen2-style model from a config (random init: no model hub), attaches LoRA adapters with
peft, and trains on synthetic sequences shaped like seed pairs (a prompt masked with -100, a rewrite to learn) —
the same loss masking as native_align.train.trainer. Imports only torch, transformers and peft (the GPU machine has
no Java, Spark or Ray). The baseline, measured in the same run on the same card, is forward + backward of the
frozen base without an optimizer: the ratio shows what LoRA's adapters and optimizer step add on top of it.

Target: the whole script finishes in under 8 minutes on one H100 (default sizes). ``--tiny`` runs a small config
on CPU (here, for plumbing). Usage::

    python benchmarks/bench_train_gpu.py            # GPU, ~0.5B, bf16
    python benchmarks/bench_train_gpu.py --tiny     # CPU smoke run
"""

from __future__ import annotations

import argparse
import json
import math
import time


def build_model(tiny: bool, seq_len: int):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    if tiny:
        cfg = Qwen2Config(vocab_size=2048, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=max(512, seq_len),
                          tie_word_embeddings=True)
    else:  # Qwen2.5-0.5B's shape: 24 layers, hidden 896, 14 heads / 2 KV heads, vocab 151,936 (~0.49B params)
        cfg = Qwen2Config(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                          num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=max(4096, seq_len),
                          tie_word_embeddings=True, rope_theta=1000000.0)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(cfg)
    return model, cfg


def batches(vocab: int, batch: int, seq_len: int, prompt_frac: float, steps: int, device):
    """Synthetic pairs: random token ids; labels -100 on the first ``prompt_frac`` of each sequence."""
    import torch

    g = torch.Generator().manual_seed(1)
    for _ in range(steps):
        ids = torch.randint(0, vocab, (batch, seq_len), generator=g)
        labels = ids.clone()
        labels[:, : int(seq_len * prompt_frac)] = -100
        yield ids.to(device), labels.to(device)


def run(model, vocab: int, args, device, dtype, train: bool) -> dict:
    import torch

    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4) if (train and params) else None
    tokens = 0
    losses = []
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    gen = batches(vocab, args.batch, args.seq_len, 0.6, args.warmup + args.steps, device)
    t0 = None
    for step, (ids, labels) in enumerate(gen):
        if step == args.warmup:
            sync()
            t0 = time.perf_counter()
        with torch.autocast(device_type=device.type, dtype=dtype, enabled=dtype != torch.float32):
            loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        if opt is not None:
            opt.step()
            opt.zero_grad(set_to_none=True)
        else:
            model.zero_grad(set_to_none=True)
        if step >= args.warmup:
            tokens += ids.numel()
            losses.append(float(loss.detach()))
    sync()
    seconds = time.perf_counter() - t0
    return {"tokens": tokens, "seconds": round(seconds, 3), "tokens_per_s": round(tokens / seconds, 1),
            "loss_first": round(losses[0], 4), "loss_last": round(losses[-1], 4)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tiny", action="store_true", help="small config on CPU (plumbing check)")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--warmup", type=int, default=None)
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--seq-len", type=int, default=None)
    p.add_argument("--lora-r", type=int, default=16)
    p.add_argument("--gradient-checkpointing", action="store_true")
    args = p.parse_args()
    import torch
    from peft import LoraConfig, get_peft_model

    cuda = torch.cuda.is_available() and not args.tiny
    device = torch.device("cuda" if cuda else "cpu")
    args.steps = args.steps or (40 if cuda else 6)
    args.warmup = args.warmup if args.warmup is not None else (5 if cuda else 1)
    args.batch = args.batch or (8 if cuda else 2)
    args.seq_len = args.seq_len or (2048 if cuda else 128)
    dtype = torch.bfloat16 if (cuda and torch.cuda.is_bf16_supported()) else torch.float32
    t_start = time.perf_counter()

    model, cfg = build_model(not cuda, args.seq_len)
    n_params = sum(p.numel() for p in model.parameters())
    model.to(device)
    if args.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()

    # Baseline in the same run: forward + backward of the frozen base, no optimizer (LoRA's floor).
    for prm in model.parameters():
        prm.requires_grad_(False)
    model.get_input_embeddings().weight.requires_grad_(True)  # something must need grad for backward
    base = run(model, cfg.vocab_size, args, device, dtype, train=False)
    model.get_input_embeddings().weight.requires_grad_(False)

    lora = get_peft_model(model, LoraConfig(r=args.lora_r, lora_alpha=2 * args.lora_r, lora_dropout=0.0,
                                            target_modules="all-linear", task_type="CAUSAL_LM"))
    trainable = sum(p.numel() for p in lora.parameters() if p.requires_grad)
    res = run(lora, cfg.vocab_size, args, device, dtype, train=True)
    out = {
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "dtype": str(dtype).replace("torch.", ""),
        "params": n_params, "trainable_lora_params": trainable,
        "batch": args.batch, "seq_len": args.seq_len, "steps": args.steps,
        "baseline_frozen_fwd_bwd": base, "lora_train": res,
        "lora_vs_baseline_throughput": round(res["tokens_per_s"] / base["tokens_per_s"], 3),
        "peak_gpu_mem_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None,
        "total_seconds": round(time.perf_counter() - t_start, 1),
    }
    print(json.dumps(out, indent=2))
    return 0 if math.isfinite(res["loss_last"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
