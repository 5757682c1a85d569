"""Rewrite engine throughput on one GPU: today's static batches vs continuous batching, in the same run.

Runs with torch + transformers only (no Spark, Ray or pydantic): it imports just
``native_align.rewrite.engines.transformers_engine`` (and, for the continuous mode, ``engines/continuous.py``). The
model is a random-init Qwen2-style decoder of ~1.3B params (Qwen2.5-1.5B geometry: hidden 1536, 28 layers, 12/2
heads; the ~3k-token vocabulary BPE learns from the synthetic text, so a small LM head); prompts are byte-level
BPE tokens of synthetic Arabic/English text, lengths uniform over ``--min-len``..``--max-len`` (64..768), 512 of
them. Two workloads:

- fixed: 128 new tokens per prompt (random weights rarely emit EOS, so every variant generates ~the same tokens);
- varied: a cap per prompt, uniform over 16..240 (mean 128) and unrelated to the prompt's length, standing in for a
  real worker ending each rewrite when its text ends: static batches then wait for their longest row.

Variants: ``--static`` batch sizes (128 is today's engine: the reference of every ratio) and ``--continuous``
settings ``max_requests:max_batch_tokens[:graphs]``. Each engine is warmed up on a few prompts first; a variant is
skipped once ``--budget-s`` is spent, so the whole run stays inside one 10-minute call.

    python benchmarks/bench_rewrite_gpu.py                # one H100/H200 (< 10 min)
    python benchmarks/bench_rewrite_gpu.py --cpu --tiny   # the same code on CPU with a tiny model (minutes)

Prints per variant: generated tokens, seconds, output tokens/s, ratio to the reference, peak GPU memory; then the
best of each mode and the goal (continuous >= 9,000 tok/s and >= 2x the reference).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ("في من على إلى عن مع أن التي الذي كان هذا بين بعد عام اليوم وزارة الصحة التعليم المملكة الرياض جدة "
         "الشركة المشروع الطلاب الجامعة الحكومة الوزير قال أعلن مستشفى جديدة المهرجان زائر مليون ريال سوق "
         "النفط الطاقة المياه the of and to in is ministry health project market oil energy water new year").split()
GOAL_TPS, GOAL_RATIO = 9000.0, 2.0


def synthetic_text(rng: random.Random, n_words: int) -> str:
    return " ".join(rng.choice(WORDS) if rng.random() > 0.05 else str(rng.randint(1, 3000)) for _ in range(n_words))


def build_tokenizer(vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    rng = random.Random(0)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>", "<pad>"],
                                  show_progress=False, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([synthetic_text(rng, 40) for _ in range(2000)], trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                                   pad_token="<pad>", padding_side="left")


def build_model(tokenizer, hidden: int, layers: int, heads: int, kv_heads: int, intermediate: int, device: str):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=intermediate,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
                         max_position_embeddings=4096, tie_word_embeddings=True,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    config._attn_implementation = "sdpa"
    with torch.device(device):
        model = Qwen2ForCausalLM(config).to(dtype)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model.eval()


def make_prompts(tokenizer, n: int, min_len: int, max_len: int, seed: int = 1) -> list[str]:
    """Texts whose token lengths spread uniformly over [min_len, max_len] (cut to length by the tokenizer)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        target = rng.randint(min_len, max_len)
        ids = tokenizer(synthetic_text(rng, target * 2), add_special_tokens=False)["input_ids"][:target]
        out.append(tokenizer.decode(ids))
    return out


def parse_continuous(spec: str) -> list[dict]:
    """'128:2048,256:4096:graphs' -> [{cb_max_requests, cb_max_batch_tokens, cb_cuda_graphs}, ...]."""
    out = []
    for item in filter(None, spec.split(",")):
        parts = item.split(":")
        out.append({"cb_max_requests": int(parts[0]), "cb_max_batch_tokens": int(parts[1]),
                    "cb_cuda_graphs": True if parts[2:] == ["graphs"] else None})
    return out


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def free_memory() -> None:
    """Between variants: what one left in the CUDA caching allocator must not shrink the next one's KV cache."""
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def timed(engine, prompts: list[str], caps: list[int]) -> tuple[int, float, float]:
    """(generated tokens, seconds, peak GPU GiB) of one engine.generate over every prompt."""
    import torch

    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    sync()
    t0 = time.perf_counter()
    gens = engine.generate(prompts, caps)
    sync()
    secs = time.perf_counter() - t0
    errors = [g.error for g in gens if g.error]
    if errors:
        raise RuntimeError(f"{len(errors)} generations failed, e.g. {errors[0]}")
    peak = torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else 0.0
    return sum(g.completion_tokens for g in gens), secs, peak


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cpu", action="store_true", help="run on CPU even if a GPU is there")
    ap.add_argument("--tiny", action="store_true", help="tiny model, few prompts: checks the code, not the speed")
    ap.add_argument("--docs", type=int, default=None)
    ap.add_argument("--max-new-tokens", type=int, default=None, help="fixed workload's tokens per prompt")
    ap.add_argument("--min-len", type=int, default=None)
    ap.add_argument("--max-len", type=int, default=None)
    ap.add_argument("--layers", type=int, default=None)
    ap.add_argument("--workloads", default="fixed,varied")
    ap.add_argument("--static", default=None, help="static batch sizes, e.g. 128,256,512 (the first is the reference)")
    ap.add_argument("--continuous", default=None, help="max_requests:max_batch_tokens[:graphs],...")
    ap.add_argument("--block-size", type=int, default=None, help="continuous KV block size (cb_block_size)")
    ap.add_argument("--budget-s", type=float, default=None, help="skip variants once this much time is spent")
    ap.add_argument("--shared-prefix", type=int, default=0, help="tokens of one text put before every prompt "
                    "(like the instruction prompt; shows prefix caching); 0 keeps today's prompt mix")
    ap.add_argument("--threads", type=int, default=1, help="CPU only: torch threads (1: as in a Ray actor, and "
                    "immune to the spin-waits of 2 OpenMP threads on a busy machine)")
    args = ap.parse_args(argv)

    import torch
    import transformers

    from native_align.rewrite.engines.transformers_engine import GenerationOptions, TransformersEngine

    device = "cuda" if torch.cuda.is_available() and not args.cpu else "cpu"
    if device == "cpu":
        torch.set_num_threads(args.threads)
    if args.tiny:
        shape = dict(hidden=64, layers=2, heads=4, kv_heads=2, intermediate=128)
        d = dict(docs=48, max_new=32, min_len=16, max_len=96, vocab=1000, static="8,16", continuous="8:128,16:256",
                 block=16, budget=float("inf"))
    else:
        # Qwen2.5-1.5B geometry (GQA 12 query / 2 KV heads); vocab=16000 asked, ~3k learned: 1.31B params.
        shape = dict(hidden=1536, layers=28, heads=12, kv_heads=2, intermediate=8960)
        d = dict(docs=512, max_new=128, min_len=64, max_len=768, vocab=16000, static="128,256,512",
                 continuous="128:2048,256:2048,512:4096,256:4096:graphs", block=256, budget=420.0)
    if args.layers:
        shape["layers"] = args.layers
    docs, max_new = args.docs or d["docs"], args.max_new_tokens or d["max_new"]
    lo, hi = args.min_len or d["min_len"], args.max_len or d["max_len"]
    static_sizes = [int(x) for x in (args.static or d["static"]).split(",") if x]
    cont_specs = parse_continuous(args.continuous if args.continuous is not None else d["continuous"])
    budget = args.budget_s or d["budget"]

    t_start = time.perf_counter()
    tok = build_tokenizer(d["vocab"])
    model = build_model(tok, device=device, **shape)
    n_params = sum(p.numel() for p in model.parameters())
    name = torch.cuda.get_device_name(0) if device == "cuda" else "CPU"
    print(f"device {name}; torch {torch.__version__}, transformers {transformers.__version__}; model "
          f"{n_params / 1e6:.1f}M params ({next(model.parameters()).dtype}, {model.config._attn_implementation}); "
          f"setup {time.perf_counter() - t_start:.1f}s", flush=True)
    prompts = make_prompts(tok, docs, lo, hi)
    if args.shared_prefix:
        prefix = make_prompts(tok, 1, args.shared_prefix, args.shared_prefix, seed=99)[0]
        prompts = [prefix + " " + p for p in prompts]
        lo, hi = lo + args.shared_prefix, hi + args.shared_prefix
    rng = random.Random(7)
    caps_for = {"fixed": [max_new] * docs,
                "varied": [rng.randint(max(1, max_new // 8), max(2, 2 * max_new - max_new // 8)) for _ in prompts]}
    context = hi + max(max(c) for c in caps_for.values()) + 64

    def options(**kw) -> GenerationOptions:
        return GenerationOptions(max_new_tokens_cap=2 * max_new, min_new_tokens_cap=1, repetition_penalty=1.0,
                                 context_length=context, cb_block_size=args.block_size or d["block"], **kw)

    static = [(f"static     batch {bs:<4d}", dict(generation_mode="static", batch_size=bs,
                                                max_batch_tokens=bs * (context + 8))) for bs in static_sizes]
    cont = []
    for spec in cont_specs:
        graphs = " graphs" if spec["cb_cuda_graphs"] else ""
        cont.append((f"continuous {spec['cb_max_requests']}x{spec['cb_max_batch_tokens']}{graphs}",
                     dict(generation_mode="continuous", **spec)))
    # Alternate the modes, so a time budget cuts the last settings of both rather than one mode entirely.
    variants = [v for pair in zip(static, cont) for v in pair] + static[len(cont):] + cont[len(static):]
    reference = static[0][0] if static else variants[0][0]
    workloads = [w for w in args.workloads.split(",") if w]
    for w in workloads:
        caps = caps_for[w]
        print(f"workload {w}: {docs} prompts of {lo}..{hi} tokens, new tokens per prompt {min(caps)}..{max(caps)} "
              f"(sum {sum(caps)})")
    print(f"reference: {reference.strip()} (today's engine); ratios are to it, on the same workload", flush=True)

    results: dict[tuple[str, str], float] = {}
    for label, kw in variants:
        if time.perf_counter() - t_start > budget:
            print(f"{label:<28s} skipped (time budget of {budget:.0f}s spent)", flush=True)
            continue
        engine = TransformersEngine(model, tok, options=options(**kw), model_id="random-qwen2")
        try:
            engine.generate(prompts[:8], [4] * 8)  # warm-up: kernels, allocator, the continuous manager
            if engine._continuous is not None:
                print(f"{label:<28s} settings {engine._continuous.settings()}", flush=True)
            for w in workloads:
                n_tokens, secs, peak = timed(engine, prompts, caps_for[w])
                tps = n_tokens / secs
                results[(w, label)] = tps
                ref = results.get((w, reference))
                ratio = f"{tps / ref:5.2f}x" if ref else "  n/a"
                mem = f"  peak GPU {peak:5.1f} GiB" if device == "cuda" else ""
                print(f"{label:<28s} {w:6s}: {n_tokens:7d} tokens {secs:7.1f}s {tps:9.1f} tok/s  {ratio}{mem}",
                      flush=True)
        except Exception as exc:  # one variant failing (e.g. out of memory) must not lose the others
            print(f"{label:<28s} FAILED {type(exc).__name__}: {str(exc)[:300]}", flush=True)
        finally:
            engine.close()
            del engine
            free_memory()
    summarize(results, reference, device)
    print(f"total {time.perf_counter() - t_start:.0f}s")
    return 0


def summarize(results: dict[tuple[str, str], float], reference: str, device: str) -> None:
    for workload in dict.fromkeys(w for w, _ in results):
        ref = results.get((workload, reference))
        best = {}
        for mode in ("static", "continuous"):
            got = [(tps, label) for (w, label), tps in results.items() if w == workload and label.startswith(mode)]
            if got:
                best[mode] = max(got)
        line = f"best [{workload}]: " + "; ".join(f"{label} {tps:.0f} tok/s" for tps, label in best.values())
        if ref and "continuous" in best:
            tps = best["continuous"][0]
            met = tps >= GOAL_TPS and tps / ref >= GOAL_RATIO
            goal = "" if device != "cuda" else f" (goal >= {GOAL_TPS:.0f} tok/s and >= {GOAL_RATIO:.0f}x: " \
                                                 f"{'met' if met else 'NOT met'})"
            line += f"; best continuous / reference = {tps / ref:.2f}x{goal}"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
