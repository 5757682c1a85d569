"""``native-align eval perplexity``: is the reference LM a meaningful fluency yardstick for Arabic news?

We take a deterministic sample of SaudiNewsNet articles (edited news: fluent Arabic) and the *same words* of each
article shuffled (same vocabulary, no syntax), and compare median perplexity under the reference LM. The report's
before/after perplexity only means something if fluent text scores clearly lower than word salad; this checks it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import statistics
import time
from pathlib import Path

from native_align.evaluation.data import saudinewsnet_path

DEFAULT_CORPUS = saudinewsnet_path()


def sample_articles(path: str | Path, n: int = 200, seed: int = 0, min_chars: int = 300,
                    text_field: str = "content") -> list[str]:
    """``n`` articles chosen by the smallest hash of (seed, line number): the same sample on every machine."""
    keyed = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            try:
                text = (json.loads(line).get(text_field) or "").strip()
            except ValueError:
                continue
            if len(text) >= min_chars:
                keyed.append((hashlib.sha1(f"{seed}:{i}".encode()).hexdigest(), text))
    keyed.sort()
    return [t for _, t in keyed[:n]]


def shuffle_words(text: str, seed: int = 0) -> str:
    """The same whitespace words in a random (seeded, per-text deterministic) order."""
    toks = text.split()
    rng = random.Random(hashlib.sha1(f"{seed}:{text}".encode("utf-8")).hexdigest())
    rng.shuffle(toks)
    return " ".join(toks)


def evaluate(texts: list[str], model, tokenizer, max_tokens: int = 256, batch_size: int = 8,
             seed: int = 0) -> dict[str, float]:
    """Median perplexity of the texts and of their word-shuffled versions."""
    from native_align.lm.perplexity import perplexities

    news = perplexities(texts, model, tokenizer, batch_size=batch_size, max_tokens=max_tokens)
    shuffled = perplexities([shuffle_words(t, seed) for t in texts], model, tokenizer, batch_size=batch_size,
                            max_tokens=max_tokens)
    keep = [(a, b) for a, b in zip(news, shuffled) if a == a and b == b]  # drop NaN (too short)
    return {"documents": len(keep), "median_news": statistics.median(a for a, _ in keep),
            "median_shuffled": statistics.median(b for _, b in keep),
            "share_news_lower": sum(a < b for a, b in keep) / len(keep)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="native-align eval perplexity", description=__doc__.split("\n")[0])
    p.add_argument("--data", default=str(DEFAULT_CORPUS), help="SaudiNewsNet JSONL(.gz), field 'content'")
    p.add_argument("--n", type=int, default=200, help="articles to sample (deterministic)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", default=None, help="reference LM (default: Gemma 3 270M from the GGUF packages)")
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=8)
    args = p.parse_args(argv)
    if not Path(args.data).is_file():
        print(f"eval perplexity: data not found at {args.data}")
        return 2
    from native_align.lm.perplexity import load_reference_lm
    from native_align.lm.reference import ReferenceModelUnavailable

    texts = sample_articles(args.data, args.n, args.seed)
    t0 = time.perf_counter()
    try:
        model, tokenizer = load_reference_lm(args.model)
    except ReferenceModelUnavailable as exc:
        print(f"eval perplexity: skipped, {exc}")
        return 2
    t1 = time.perf_counter()
    result = evaluate(texts, model, tokenizer, max_tokens=args.max_tokens, batch_size=args.batch_size,
                      seed=args.seed)
    t2 = time.perf_counter()
    print(f"reference LM: {args.model or 'gemma3-270m (GGUF)'}; loaded in {t1 - t0:.1f}s, scored in {t2 - t1:.1f}s")
    print(f"articles: {result['documents']} (first {args.max_tokens} tokens each)")
    print(f"median perplexity, news:           {result['median_news']:.1f}")
    print(f"median perplexity, shuffled words: {result['median_shuffled']:.1f}")
    print(f"share of articles where news < shuffled: {result['share_news_lower']:.3f}")
    return 0
