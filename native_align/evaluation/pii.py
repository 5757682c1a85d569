"""``native-align eval pii``: precision/recall of the PII detectors, their firings on real news, and their speed.

1. Synthetic: real SaudiNewsNet sentences (crafted ones when the corpus is absent) seeded with generated PII of
   every kind at known offsets (valid checksums, all phone formats, Latin/Arabic-Indic/Extended digits) and with
   hard negatives (dates, years, prices, percentages, article/decision numbers, times, invalid checksums).
   A detection is correct when its kind matches and it covers the seeded value exactly (ignoring surrounding
   punctuation such as "(" or "+"). Background sentences holding a run of 7+ digits or an "@" are not used, so
   unlabelled real PII cannot count as a false positive.
2. Corpus: the untouched SaudiNewsNet articles - firings per kind and a deterministic sample of hits with context,
   for a person to inspect.
3. Speed: documents per second of ``redact_batch`` over the corpus, one process (one core).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path

from native_align.pii.detect import detect
from native_align.pii.kinds import KINDS
from native_align.pii.redact import redact_batch
from native_align.pii.synthetic import CRAFTED_SENTENCES, Labelled, build_documents

SHARED = Path(os.environ.get("NATIVE_ALIGN_SHARED_DATA",
                             Path(__file__).resolve().parents[2].parent / "shared" / "data"))
DEFAULT_CORPUS = SHARED / "corpus" / "saudinewsnet.jsonl.gz"
_SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+|\n+")
_LONG_NUMBER = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9](?:[ \-.]?[0-9\u0660-\u0669\u06f0-\u06f9]){6,}")
_EDGE = re.compile(r"^[^0-9A-Za-z\u0660-\u0669\u06f0-\u06f9]+|[^0-9A-Za-z\u0660-\u0669\u06f0-\u06f9]+$")


def read_corpus(path: str | Path, limit: int | None = None) -> list[str]:
    """``content`` of each JSONL line (empty list when the file is absent)."""
    path = Path(path)
    if not path.is_file():
        return []
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line).get("content") or ""
            out.append(text)
            if limit is not None and len(out) >= limit:
                break
    return out


def background_sentences(texts: list[str], max_sentences: int = 5000, seed: int = 0) -> list[str]:
    """Clean sentences (30-300 chars, no 7+ digit run, no "@", no URL) from ``texts``; crafted ones if none."""
    pool = []
    for text in texts:
        for s in _SENTENCE_END.split(text):
            s = s.strip()
            if 30 <= len(s) <= 300 and "@" not in s and "http" not in s and not _LONG_NUMBER.search(s):
                pool.append(s)
    if not pool:
        return list(CRAFTED_SENTENCES)
    random.Random(seed).shuffle(pool)
    return pool[:max_sentences]


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without leading/trailing punctuation ("(", "+", spaces)."""
    s = text[start:end]
    lead = _EDGE.match(s)
    trail = _EDGE.search(s)
    a = start + (lead.end() if lead else 0)
    b = end - (len(s) - trail.start() if trail and trail.start() > 0 else 0)
    return a, b


def score(docs: list[Labelled]) -> dict:
    """Per-kind tp/fp/fn, precision and recall; per-format recall; hard-negative hits; example errors."""
    tp, fp, fn = Counter(), Counter(), Counter()
    fmt_total, fmt_hit = Counter(), Counter()
    neg_total, neg_hit = Counter(), Counter()
    errors: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        spans = detect(doc.text)
        pred = {(sp.kind, *_core(doc.text, sp.start, sp.end)): sp for sp in spans}
        matched = set()
        for kind, s, e, fmt in doc.gold:
            key = (kind, *_core(doc.text, s, e))
            fmt_total[f"{kind}:{fmt}"] += 1
            if key in pred:
                tp[kind] += 1
                fmt_hit[f"{kind}:{fmt}"] += 1
                matched.add(key)
            else:
                fn[kind] += 1
                got = [f"{sp.kind}:{sp.value!r}" for sp in spans if sp.start < e and s < sp.end]
                errors[f"fn:{kind}"].append(f"{doc.text[s:e]!r} ({fmt}) got {got or 'nothing'}")
        for key, sp in pred.items():
            if key not in matched:
                fp[sp.kind] += 1
                errors[f"fp:{sp.kind}"].append(f"{sp.value!r} in ...{doc.text[max(0, sp.start - 30):sp.end + 15]!r}")
        for neg, s, e in doc.negatives:
            neg_total[neg] += 1
            if any(sp.start < e and s < sp.end for sp in spans):
                neg_hit[neg] += 1
    per_kind = {}
    for k in KINDS:
        p = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else 1.0
        r = tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else 1.0
        per_kind[k] = {"tp": tp[k], "fp": fp[k], "fn": fn[k], "precision": p, "recall": r}
    formats = {f: {"n": n, "recall": fmt_hit[f] / n} for f, n in sorted(fmt_total.items())}
    negatives = {t: {"n": n, "hit": neg_hit[t]} for t, n in sorted(neg_total.items())}
    return {"per_kind": per_kind, "formats": formats, "negatives": negatives, "errors": dict(errors)}


def corpus_hits(texts: list[str]) -> tuple[Counter, list[tuple[int, str, int, int, str]]]:
    """Firings per kind and every hit (doc index, kind, start, end, value) on untouched texts."""
    counts, hits = Counter(), []
    for i, text in enumerate(texts):
        for sp in detect(text):
            counts[sp.kind] += 1
            hits.append((i, sp.kind, sp.start, sp.end, sp.value))
    return counts, hits


def sample_hits(hits: list, n: int = 50) -> list:
    """A deterministic sample stratified by kind (round robin over kinds, each kind's hits in CRC32 order), so rare
    kinds are inspected too."""
    by_kind: dict[str, list] = defaultdict(list)
    for h in hits:
        by_kind[h[1]].append(h)
    for k in by_kind:
        by_kind[k].sort(key=lambda h: zlib.crc32(f"{h[0]}:{h[2]}:{h[4]}".encode()))
    out, depth = [], 0
    while len(out) < n and any(depth < len(v) for v in by_kind.values()):
        for k in KINDS:
            if depth < len(by_kind.get(k, [])) and len(out) < n:
                out.append(by_kind[k][depth])
        depth += 1
    return out


def speed(texts: list[str], batch: int = 10_000) -> float:
    """Documents per second of ``redact_batch`` (default policy) over ``texts``, in one process."""
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch):
        redact_batch(texts[i:i + batch])
    return len(texts) / max(time.perf_counter() - t0, 1e-9)


def _context(text: str, start: int, end: int, width: int = 45) -> str:
    return (text[max(0, start - width):start] + "⟦" + text[start:end] + "⟧" + text[end:end + width]).replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="native-align eval pii", description=__doc__.split("\n")[0])
    p.add_argument("--data", default=str(DEFAULT_CORPUS), help="SaudiNewsNet JSONL.gz (field content)")
    p.add_argument("--docs", type=int, default=3000, help="synthetic documents")
    p.add_argument("--limit", type=int, default=None, help="corpus documents for firings and speed (default all)")
    p.add_argument("--sample", type=int, default=50, help="corpus hits printed for inspection")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--errors", type=int, default=5, help="synthetic errors printed per kind")
    p.add_argument("--json", default=None, help="write all figures to this file")
    args = p.parse_args(argv)

    texts = read_corpus(args.data, args.limit)
    if not texts:
        print(f"eval pii: corpus not found at {args.data}: synthetic part on crafted sentences only")
    sentences = background_sentences(texts[:5000], seed=args.seed)
    docs = build_documents(sentences, args.docs, seed=args.seed)
    result = score(docs)
    print(f"== synthetic: {len(docs)} documents on {len(sentences)} background sentences")
    print(f"{'kind':<13}{'seeded':>8}{'tp':>7}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    for k, v in result["per_kind"].items():
        print(f"{k:<13}{v['tp'] + v['fn']:>8}{v['tp']:>7}{v['fp']:>5}{v['fn']:>5}{v['precision']:>11.3f}"
              f"{v['recall']:>8.3f}")
    weak = {f: v for f, v in result["formats"].items() if v["recall"] < 1.0}
    print(f"formats below recall 1.0 ({len(weak)} of {len(result['formats'])}):")
    for f, v in weak.items():
        print(f"  {f:<45} n={v['n']:<4} recall={v['recall']:.2f}")
    print("hard negatives touched: " + ", ".join(f"{t} {v['hit']}/{v['n']}" for t, v in result["negatives"].items()))
    for key, lines in sorted(result["errors"].items()):
        print(f"  {key} ({len(lines)}):")
        for line in lines[:args.errors]:
            print(f"    {line}")

    out = {"synthetic": result}
    if texts:
        counts, hits = corpus_hits(texts)
        print(f"\n== SaudiNewsNet: {len(texts)} documents, {sum(counts.values())} hits in "
              f"{len({h[0] for h in hits})} documents")
        print("  " + ", ".join(f"{k} {counts.get(k, 0)}" for k in KINDS))
        sample = sample_hits(hits, args.sample)
        print(f"-- deterministic sample of {len(sample)} hits (doc, kind, ⟦value⟧ in context):")
        for i, kind, s, e, value in sample:
            print(f"  {i:>5} {kind:<12} {_context(texts[i], s, e)}")
        dps = speed(texts)
        print(f"\n== speed: {dps:,.0f} docs/s ({len(texts)} docs, redact_batch, one process)")
        out["corpus"] = {"documents": len(texts), "counts": dict(counts), "docs_per_s": dps,
                         "sample": [{"doc": i, "kind": k, "value": v, "context": _context(texts[i], s, e)}
                                    for i, k, s, e, v in sample]}
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":  # until `native-align eval pii` is registered
    import sys

    raise SystemExit(main(sys.argv[1:]))
