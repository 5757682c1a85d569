"""PII redaction's cost beside curate's: both kernels on the same SaudiNewsNet articles, in the same run.

Curate (fastText LID + every quality signal, ``curate.stage.score_batches``) is the per-document work every corpus
pays; redaction (``pii.redact.redact_batch``, every kind, default policy) runs once more over the kept text. The
figure that matters is redaction / curate in CPU seconds (goal of issue 13: a small fraction). Also prints how many
redactions fired per kind.

    python benchmarks/bench_pii.py [--limit 10000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter

import pyarrow as pa

from native_align.curate.config import CurateConfig
from native_align.curate.stage import score_batches
from native_align.evaluation.data import saudinewsnet_path
from native_align.pii.redact import as_policy, redact_batch


def load(limit: int) -> pa.Table:
    ids, texts = [], []
    with gzip.open(saudinewsnet_path(), "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit and i >= limit:
                break
            ids.append(f"snn:{i}")
            texts.append(json.loads(line).get("content") or "")
    return pa.table({"doc_id": ids, "source": ["snn"] * len(ids), "content_hash": [""] * len(ids), "text": texts})


def cpu_seconds(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--limit", type=int, default=10000, help="first N articles (0: all 31,030)")
    ns = p.parse_args()
    if not saudinewsnet_path().is_file():
        print(f"bench_pii: {saudinewsnet_path()} not found (set NATIVE_ALIGN_SHARED_DATA)")
        return 2
    table = load(ns.limit)
    cfg = CurateConfig()
    texts = table.column("text").to_pylist()
    policy = as_policy(None)
    list(score_batches(iter(table.slice(0, 200).to_batches()), cfg))  # load fastText outside the timing
    redact_batch(texts[:200], policy)
    curate_s = cpu_seconds(lambda: list(score_batches(iter(table.to_batches(max_chunksize=cfg.batch_size)), cfg)))
    counts: Counter = Counter()

    def redact_all() -> None:
        for start in range(0, len(texts), 10000):
            res = redact_batch(texts[start:start + 10000], policy)
            for kind, per_doc in res.counts.items():
                counts[kind] += sum(per_doc)

    pii_s = cpu_seconds(redact_all)
    n = len(texts)
    print(f"{n:,} articles: curate kernel {curate_s:.1f} CPU s ({n / curate_s:,.0f} docs/s), redaction "
          f"{pii_s:.1f} CPU s ({n / pii_s:,.0f} docs/s) -> redaction = {pii_s / curate_s:.2f}x curate's cost")
    print("redactions: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
