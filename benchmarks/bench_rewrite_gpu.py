"""Rewrite engine throughput: our length-sorted, left-padded batched generation vs batch-1 ``generate``.

Runs with torch + transformers only (no Spark, Ray or pydantic): it imports just
``native_align.rewrite.engines.transformers_engine``. The model is a random-init Qwen2-style decoder of ~1B params
(random weights rarely emit EOS, so every request generates exactly ``--max-new-tokens`` and both sides produce the
same number of tokens); prompts are byte-level BPE tokens of synthetic Arabic/English text with lengths spread
over ``--min-len``..``--max-len`` tokens, like a curated corpus. Both sides are measured in the same run.

    python benchmarks/bench_rewrite_gpu.py            # one GPU, < 8 min on an H100
    python benchmarks/bench_rewrite_gpu.py --tiny     # CPU smoke run of the same code (minutes)

Prints generated tokens/s of each side and the ratio (goal on a GPU: >= 20x).
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
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                                   pad_token="<pad>", padding_side="left")
    return fast


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


def baseline_batch1(model, tokenizer, prompts: list[str], max_new: int) -> tuple[int, float]:
    """The naive loop: one ``generate`` per document."""
    import torch

    tokens = 0
    sync()
    t0 = time.perf_counter()
    for p in prompts:
        enc = tokenizer(p, return_tensors="pt").to(model.device)
        with torch.inference_mode():
            out = model.generate(**enc, max_new_tokens=max_new, min_new_tokens=max_new, do_sample=False,
                                 pad_token_id=tokenizer.pad_token_id)
        tokens += out.shape[1] - enc["input_ids"].shape[1]
    sync()
    return tokens, time.perf_counter() - t0


def engine_run(engine, prompts: list[str], max_new: int, sorted_batches: bool = True) -> tuple[int, float]:
    sync()
    t0 = time.perf_counter()
    if sorted_batches:
        gens = engine.generate(prompts, [max_new] * len(prompts))
    else:  # same batch size, input order: what batching without length sorting gives
        bs = engine.options.batch_size
        gens = [g for i in range(0, len(prompts), bs) for g in engine.generate(prompts[i:i + bs], [max_new] * bs)]
    sync()
    errors = [g.error for g in gens if g.error]
    if errors:
        raise RuntimeError(f"{len(errors)} generations failed, e.g. {errors[0]}")
    return sum(g.completion_tokens for g in gens), time.perf_counter() - t0


def sync() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tiny", action="store_true", help="tiny model on CPU: checks the code, not the speed")
    ap.add_argument("--docs", type=int, default=None, help="documents for the batched engine")
    ap.add_argument("--baseline-docs", type=int, default=None, help="documents for batch-1 generate")
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--max-new-tokens", type=int, default=None)
    ap.add_argument("--min-len", type=int, default=None)
    ap.add_argument("--max-len", type=int, default=None)
    ap.add_argument("--no-unsorted", action="store_true", help="skip the batched-but-unsorted comparisons")
    ap.add_argument("--repeats", type=int, default=None, help="runs of each batched variant (interleaved)")
    args = ap.parse_args(argv)

    import torch

    from native_align.rewrite.engines.transformers_engine import GenerationOptions, TransformersEngine

    device = "cuda" if torch.cuda.is_available() and not args.tiny else "cpu"
    if args.tiny:
        shape = dict(hidden=64, layers=2, heads=4, kv_heads=2, intermediate=128)
        d = dict(docs=24, baseline_docs=4, batch_size=8, max_new=16, min_len=16, max_len=96, vocab=1000, repeats=1)
    else:
        # ~1.0B params: Qwen2-style, GQA 12 query / 2 kv heads.
        shape = dict(hidden=1536, layers=20, heads=12, kv_heads=2, intermediate=8960)
        d = dict(docs=512, baseline_docs=8, batch_size=128, max_new=128, min_len=64, max_len=768, vocab=16000,
                 repeats=2)
    docs = args.docs or d["docs"]
    base_docs = args.baseline_docs or d["baseline_docs"]
    bs = args.batch_size or d["batch_size"]
    max_new = args.max_new_tokens or d["max_new"]
    lo, hi = args.min_len or d["min_len"], args.max_len or d["max_len"]
    repeats = args.repeats or d["repeats"]

    t0 = time.perf_counter()
    tok = build_tokenizer(d["vocab"])
    model = build_model(tok, device=device, **shape)
    n_params = sum(p.numel() for p in model.parameters())
    name = torch.cuda.get_device_name(0) if device == "cuda" else "CPU"
    print(f"device {name}; model {n_params / 1e6:.0f}M params ({next(model.parameters()).dtype}); "
          f"setup {time.perf_counter() - t0:.1f}s")
    prompts = make_prompts(tok, docs, lo, hi)
    engine = TransformersEngine(model, tok, options=GenerationOptions(
        batch_size=bs, max_batch_tokens=bs * (hi + max_new + 8), max_new_tokens_cap=max_new,
        min_new_tokens_cap=max_new, repetition_penalty=1.0, context_length=4096), model_id="random-qwen2")

    engine_run(engine, prompts[: min(bs, 8)], 4)  # warm-up (kernels, allocator)
    base_tokens, base_s = baseline_batch1(model, tok, prompts[:base_docs], max_new)
    base_tps = base_tokens / base_s
    print(f"baseline  batch-1 generate : {base_docs:5d} docs {base_tokens:7d} tokens {base_s:8.1f}s "
          f"{base_tps:9.1f} tok/s")
    # Each batched variant runs --repeats times, interleaved, so clock or allocator drift hits all of them alike.
    variants = [("engine    length-sorted   ", lambda: engine_run(engine, prompts, max_new))]
    if not args.no_unsorted:
        variants.append(("batched, input order      ", lambda: engine_run(engine, prompts, max_new,
                                                                           sorted_batches=False)))
        shortest_first = sorted(prompts, key=lambda p: len(tok(p)["input_ids"]))
        variants.append(("batched, shortest first   ", lambda: engine_run(engine, shortest_first, max_new,
                                                                           sorted_batches=False)))
    best: dict[str, float] = {}
    for rep in range(repeats):
        for label, fn in variants:
            n_tokens, secs = fn()
            tps = n_tokens / secs
            best[label] = max(best.get(label, 0.0), tps)
            print(f"{label} : {docs:5d} docs {n_tokens:7d} tokens {secs:8.1f}s {tps:9.1f} tok/s "
                  f"({tps / base_tps:.1f}x)  [repeat {rep + 1}]")
    ratio = best[variants[0][0]] / base_tps
    goal = "" if args.tiny else ("  (goal >= 20x: met)" if ratio >= 20 else "  (goal >= 20x: NOT met)")
    print(f"ratio engine (best of {repeats}) / batch-1: {ratio:.1f}x{goal}")
    if device == "cuda":
        print(f"peak GPU memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
