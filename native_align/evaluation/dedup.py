"""``native-align eval dedup``: exact Jaccard ground truth on SaudiNewsNet, then our dedup (through Spark) scored
against it, with and without verification.

Ground truth is computed at run time, never stored: all pairs with Jaccard >= 0.8 on word 5-gram sets of the
normalized text (the same normalization and word split as the pipeline, shingled independently of our MinHash
code), found exactly with a prefix-filter join (Bayardo et al. 2007: two sets with J >= t must share a token in
their first |x| - ceil(t|x|) + 1 tokens under one global order, rare first) and verified by exact set overlap.

Scores:
- doc level, of "removed as duplicate": a removed document is correct when its predicted cluster holds a true
  partner (J >= threshold). Precision = correct / removed. Recall = sum over true components C of
  min(correct removals in C, |C| - 1) / sum (|C| - 1) (the ideal removals).
- pairwise: pairs co-clustered by us vs pairs co-clustered by the ground truth's connected components.
Empty documents are dropped first (curate rejects them before dedup).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from native_align.evaluation.data import shared_data_dir
from native_align.options import add_common_options, common_args
from native_align.text.normalize import content_hash, normalize_for_matching, words

DEFAULT_CORPUS = "corpus/saudinewsnet.jsonl.gz"


@dataclass
class Corpus:
    doc_ids: list[str]
    texts: list[str]
    sources: list[str]
    dates: list[str | None]
    empty_dropped: int


def load_corpus(path: Path, limit: int | None = None, copies: int = 1) -> Corpus:
    """SaudiNewsNet JSONL -> stable ids ``snn-<line>`` (a record's own ``id`` where it has one, as in the near-dup
    corpus of benchmarks/make_near_dups.py; ``-c<k>`` for extra copies); empty content dropped."""
    ids, texts, sources, dates, empty = [], [], [], [], 0
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh):
            if limit is not None and line_no >= limit:
                break
            rec = json.loads(line)
            text = rec.get("content") or ""
            if not text.strip():
                empty += 1
                continue
            for k in range(copies):
                ids.append((rec.get("id") or f"snn-{line_no:06d}") + (f"-c{k}" if k else ""))
                texts.append(text)
                sources.append(rec.get("source") or "")
                dates.append(rec.get("date_extracted"))
    return Corpus(ids, texts, sources, dates, empty)


# -- ground truth -------------------------------------------------------------------------------------------------

def shingle_ids(text: str, n: int = 5) -> np.ndarray:
    """Sorted unique int64 ids of word n-grams (whole text when shorter), by Python's own string hash."""
    toks = words(normalize_for_matching(text))
    if not toks:
        return np.empty(0, dtype=np.int64)
    grams = {" ".join(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1))}
    return np.unique(np.fromiter((hash(g) for g in grams), dtype=np.int64, count=len(grams)))


def _shingle_chunk(texts: list[str], n: int) -> list[np.ndarray]:
    return [shingle_ids(t, n) for t in texts]


def all_shingle_ids(texts: list[str], n: int = 5, processes: int = 1) -> list[np.ndarray]:
    """``shingle_ids`` of every text; ``processes > 1`` forks workers (they inherit the parent's string-hash seed,
    so ids stay comparable), for the 10x benchmark corpus."""
    if processes <= 1 or len(texts) < 10_000:
        return _shingle_chunk(texts, n)
    import multiprocessing as mp

    step = -(-len(texts) // (processes * 8))
    chunks = [texts[i:i + step] for i in range(0, len(texts), step)]
    with mp.get_context("fork").Pool(processes) as pool:
        parts = pool.starmap(_shingle_chunk, [(c, n) for c in chunks])
    return [s for part in parts for s in part]


def _ragged_pairs(members: np.ndarray, group_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (members[p], members[q]) with p < q inside each group; ``group_end[p]`` is the end of p's group."""
    counts = group_end - np.arange(members.size) - 1
    left = np.repeat(np.arange(members.size), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    right = left + 1 + (np.arange(left.size) - first)
    return members[left], members[right]


def prefix_candidates(sets: list[np.ndarray], threshold: float, max_pairs: int = 20_000_000) -> np.ndarray:
    """Candidate pairs of the prefix filter as sorted unique codes ``i * n_docs + j`` (i < j), size filter
    applied: every pair with Jaccard >= threshold is among them. Vectorized over all documents (numpy sorts and a
    ragged pair expansion per token group, in chunks of ``max_pairs``), so 300k documents take seconds."""
    n_docs = len(sets)
    sizes = np.fromiter((s.size for s in sets), dtype=np.int64, count=n_docs)
    if not sizes.sum():
        return np.empty(0, np.int64)
    flat = np.concatenate(sets)
    owner = np.repeat(np.arange(n_docs, dtype=np.int64), sizes)
    tokens, inverse, counts = np.unique(flat, return_inverse=True, return_counts=True)
    order = np.lexsort((tokens, counts))  # rare first, ties by token
    rank = np.empty(tokens.size, dtype=np.int64)
    rank[order] = np.arange(tokens.size)
    # Each document's tokens in rank order, then its prefix: the first |x| - ceil(t|x|) + 1 of them.
    by_doc = np.lexsort((rank[inverse], owner))
    r, o = rank[inverse][by_doc], owner[by_doc]
    pos = np.arange(r.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    plen = sizes - np.ceil(threshold * sizes - 1e-9).astype(np.int64) + 1
    keep = pos < plen[o]
    r, o = r[keep], o[keep]
    # Group prefix entries by token; pairs inside each group, chunked by how many pairs a chunk expands to.
    by_tok = np.lexsort((o, r))
    r, o = r[by_tok], o[by_tok]
    bounds = np.flatnonzero(np.diff(r)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [r.size]])
    group_end = np.repeat(ends, ends - starts)
    expand = np.cumsum(group_end - np.arange(r.size) - 1)
    found, lo = [], 0
    while lo < r.size:
        base = expand[lo - 1] if lo else 0
        hi = max(lo + 1, int(np.searchsorted(expand, base + max_pairs, side="right")))
        hi = int(ends[np.searchsorted(ends, hi, side="left")])  # whole groups only
        a, b = _ragged_pairs(o[lo:hi], group_end[lo:hi] - lo)
        small, big = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
        ok = (small >= threshold * big) & (a != b)
        a, b = a[ok], b[ok]
        found.append(np.unique(np.minimum(a, b) * n_docs + np.maximum(a, b)))
        lo = hi
    return np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)


def ground_truth_pairs(texts: list[str], threshold: float = 0.8, n: int = 5,
                       processes: int = 1) -> list[tuple[int, int, float]]:
    """Every pair (i, j, J) with i < j and Jaccard >= threshold, exactly (prefix filter + verification)."""
    sets = all_shingle_ids(texts, n, processes)
    codes = prefix_candidates(sets, threshold)
    out = []
    for x, y in zip((codes // len(sets)).tolist(), (codes % len(sets)).tolist()):
        inter = np.intersect1d(sets[x], sets[y], assume_unique=True).size
        jac = inter / (sets[x].size + sets[y].size - inter)
        if jac >= threshold:
            out.append((x, y, float(jac)))
    return out


def union_find(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, Any]:
    """Single-machine reference clustering: every node of a pair -> the smallest member of its component. The
    ground truth, the peers in benchmarks/bench_dedup.py and the tests of the Spark components all use this one."""
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def components(n_nodes: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Union-find labels (smallest member) for nodes 0..n-1."""
    label = union_find(pairs)
    return [label.get(i, i) for i in range(n_nodes)]


# -- scoring -----------------------------------------------------------------------------------------------------

def score(doc_ids: list[str], gt: list[tuple[int, int, float]], cluster_of: dict[str, str],
          removed: set[str]) -> dict[str, float]:
    """Doc-level P/R of removals and pairwise P/R of co-clustering (see the module docstring)."""
    index = {d: i for i, d in enumerate(doc_ids)}
    partners: dict[int, set[int]] = defaultdict(set)
    for a, b, _ in gt:
        partners[a].add(b)
        partners[b].add(a)
    gt_comp = components(len(doc_ids), ((a, b) for a, b, _ in gt))
    pred = [cluster_of.get(d, d) for d in doc_ids]

    correct_by_comp: Counter = Counter()
    correct = 0
    for d in removed:
        i = index[d]
        if any(pred[j] == pred[i] for j in partners.get(i, ())):
            correct += 1
            correct_by_comp[gt_comp[i]] += 1
    comp_sizes = Counter(gt_comp)
    ideal = sum(size - 1 for size in comp_sizes.values())
    found = sum(min(c, comp_sizes[comp] - 1) for comp, c in correct_by_comp.items())

    def pairs_of(sizes: Iterable[int]) -> int:
        return sum(s * (s - 1) // 2 for s in sizes)

    both = pairs_of(Counter(zip(pred, gt_comp)).values())
    pred_pairs, true_pairs = pairs_of(Counter(pred).values()), pairs_of(comp_sizes.values())
    direct = sum(1 for a, b, _ in gt if pred[a] == pred[b])
    doc_p = correct / len(removed) if removed else 1.0
    doc_r = found / ideal if ideal else 1.0
    pair_p = both / pred_pairs if pred_pairs else 1.0
    pair_r = both / true_pairs if true_pairs else 1.0
    return {
        "removed": len(removed), "removed_correct": correct, "ideal_removals": ideal,
        "doc_precision": doc_p, "doc_recall": doc_r, "doc_f1": _f1(doc_p, doc_r),
        "pair_precision": pair_p, "pair_recall": pair_r, "pair_f1": _f1(pair_p, pair_r),
        "gt_pairs_recalled": direct / len(gt) if gt else 1.0,
    }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def gt_summary(doc_ids: list[str], gt: list[tuple[int, int, float]]) -> dict[str, int]:
    comp = components(len(doc_ids), ((a, b) for a, b, _ in gt))
    sizes = Counter(comp)
    in_pairs = {a for a, _, _ in gt} | {b for _, b, _ in gt}
    multi = [s for s in sizes.values() if s >= 2]
    return {"pairs": len(gt), "docs_in_pairs": len(in_pairs), "clusters": len(multi),
            "ideal_removals": sum(s - 1 for s in multi)}


# -- running our dedup --------------------------------------------------------------------------------------------

def corpus_frame(spark, corpus: Corpus):
    """The corpus as the frame dedup takes (documents ⨝ signals columns); quality unknown -> longest survives."""
    rows = [(d, s, None, None, dt, t, content_hash(t), len(t), "ar", None)
            for d, s, dt, t in zip(corpus.doc_ids, corpus.sources, corpus.dates, corpus.texts)]
    schema = ("doc_id string, source string, url string, title string, date string, text string, "
              "content_hash string, n_chars long, lang string, quality_score double")
    n_parts = max(2, spark.sparkContext.defaultParallelism * 2)
    return spark.createDataFrame(rows, schema).repartition(n_parts, "doc_id")


def run_ours(spark, corpus: Corpus, cfg) -> tuple[dict[str, str], set[str], dict[str, int], float]:
    """(cluster_of, removed, stats, seconds) of our find_duplicates on the corpus."""
    from pyspark import StorageLevel

    from native_align.dedup.stage import find_duplicates

    docs = corpus_frame(spark, corpus).persist(StorageLevel.MEMORY_AND_DISK)
    docs.count()
    t0 = time.perf_counter()
    result = find_duplicates(docs, cfg)
    rows = result.duplicates.select("doc_id", "cluster_id", "is_survivor").collect()
    seconds = time.perf_counter() - t0
    result.release()
    docs.unpersist()
    cluster_of = {r["doc_id"]: r["cluster_id"] for r in rows}
    removed = {r["doc_id"] for r in rows if not r["is_survivor"]}
    return cluster_of, removed, dict(result.stats), seconds


def format_scores(name: str, s: dict[str, float], seconds: float | None = None) -> str:
    secs = f"{seconds:8.1f}" if seconds is not None else f"{'-':>8}"
    return (f"{name:<28}{secs}  {s['removed']:>7,}  {s['doc_precision']:.4f}  {s['doc_recall']:.4f}  "
            f"{s['doc_f1']:.4f}  {s['pair_precision']:.4f}  {s['pair_recall']:.4f}  {s['pair_f1']:.4f}  "
            f"{s['gt_pairs_recalled']:.4f}")


HEADER = (f"{'method':<28}{'seconds':>8}  {'removed':>7}  doc_P   doc_R   doc_F1  pair_P  pair_R  pair_F1 "
          f"gtpairs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="native-align eval dedup", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=None, help=f"JSONL.gz (default: <shared data>/{DEFAULT_CORPUS})")
    parser.add_argument("--limit", type=int, default=None, help="first N records only")
    parser.add_argument("--modes", default="verify,noverify",
                        help="comma-separated: verify (true-Jaccard verification), noverify (LSH candidates)")
    add_common_options(parser)
    ns = parser.parse_args(argv)
    path = Path(ns.corpus) if ns.corpus else shared_data_dir() / DEFAULT_CORPUS
    if not path.is_file():
        print(f"eval dedup: corpus not found at {path} (set NATIVE_ALIGN_SHARED_DATA)", file=sys.stderr)
        return 2
    settings = common_args(ns).settings()
    cfg = settings.dedup

    corpus = load_corpus(path, ns.limit)
    print(f"corpus: {path.name}: {len(corpus.doc_ids):,} documents ({corpus.empty_dropped} empty dropped)")
    t0 = time.perf_counter()
    gt = ground_truth_pairs(corpus.texts, cfg.threshold, cfg.ngram)
    summary = gt_summary(corpus.doc_ids, gt)
    print(f"ground truth (J >= {cfg.threshold}, word {cfg.ngram}-grams, exact): {summary['pairs']:,} pairs, "
          f"{summary['docs_in_pairs']:,} docs in pairs, {summary['clusters']:,} clusters, "
          f"{summary['ideal_removals']:,} ideal removals ({time.perf_counter() - t0:.1f} s)")

    from native_align.dedup.minhash import LshParams
    from native_align.spark import get_spark

    spark = get_spark(settings.spark)
    print(HEADER)
    for mode in [m.strip() for m in ns.modes.split(",") if m.strip()]:
        mcfg = cfg.model_copy(update={"verify": mode == "verify"})
        params = LshParams.from_config(mcfg)
        cluster_of, removed, stats, seconds = run_ours(spark, corpus, mcfg)
        s = score(corpus.doc_ids, gt, cluster_of, removed)
        print(format_scores(f"ours[{mode} {params.bands}x{params.rows}]", s, seconds))
        print(f"    candidates {stats.get('candidate_pairs', 0):,}, verified {stats.get('verified_pairs', '-')}, "
              f"P(cand|J={cfg.threshold}) = {params.candidate_probability(cfg.threshold):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
