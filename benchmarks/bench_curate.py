"""Curate throughput on SaudiNewsNet, against fastText LID alone and against datatrove 0.10.1, in one run.

    python benchmarks/bench_curate.py [--limit N] [--peer-limit N] [--no-spark] [--no-peer] [--fineweb2-keep]

Measures, on the same documents and the same machine:
  (a) fastText LID alone (our LanguageIdentifier.scores: batched predict, k small) over every document;
  (b) our full curate (LID + all signal families + rules) over Arrow batches (the mapInArrow kernel, one
      process), and the same through Spark local mode (``curate(df)`` written to the noop sink);
  (c) datatrove 0.10.1 LanguageFilter + GopherRepetition + GopherQuality + C4Quality + FineWebQuality, run as a
      subprocess in its own virtualenv ($NATIVE_ALIGN_BENCH_VENV, default benchmarks/.venvs/datatrove from
      ``bash benchmarks/setup_peers.sh datatrove``; its spaCy Arabic
      tokenizer, trafilatura<1.12 and nltk stay out of the project venv). ``--peer-limit`` runs the peer (and
      our kernel again, for a like-for-like ratio) on the first N documents when the whole corpus would take
      too long.
Prints docs/s (wall and CPU) and the ratios ours/datatrove (goal >= 3x) and curate/LID-alone (goal <= 1.5x), plus
how many articles curate keeps (% of non-empty; goal >= 95%) and the top reject reasons.
``--fineweb2-keep`` also runs FineWeb-2's own arb_Arab quality filters (datatrove, the arguments of its published
pipeline; see peers/datatrove_filters.py) over the same documents and compares keep decisions document by
document: a check that our defaults are as strict as FineWeb-2's, not stricter (~6 min on 31k docs).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from native_align.curate.config import CurateConfig  # noqa: E402
from native_align.text.lid import LanguageIdentifier, default_model_path  # noqa: E402
from native_align.curate.stage import score_batches  # noqa: E402


def shared_data() -> Path:
    return Path(os.environ.get("NATIVE_ALIGN_SHARED_DATA", REPO.parent / "shared" / "data"))


def load_corpus(path: Path, limit: int = 0) -> pa.Table:
    ids, sources, texts = [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit and i >= limit:
                break
            rec = json.loads(line)
            ids.append(f"saudinewsnet:{i}")
            sources.append(rec.get("source") or "")
            texts.append(rec.get("content") or "")
    return pa.table({"doc_id": ids, "source": sources, "content_hash": [""] * len(ids), "text": texts})


class Timer:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def run_lid(table: pa.Table, cfg: CurateConfig) -> Timer:
    lid = LanguageIdentifier.from_config(cfg)
    lid.model  # load outside the timing
    with Timer() as t:
        for batch in table.to_batches(max_chunksize=cfg.batch_size):
            lid.scores(batch.column("text").to_pylist())
    return t


def run_kernel(table: pa.Table, cfg: CurateConfig) -> tuple[Timer, pa.Table]:
    list(score_batches(iter(table.slice(0, 10).to_batches()), cfg))  # warm-up: model, lookup tables
    with Timer() as t:
        out = pa.Table.from_batches(list(score_batches(iter(table.to_batches(max_chunksize=cfg.batch_size)), cfg)))
    return t, out


def run_spark(table: pa.Table, cfg: CurateConfig) -> Timer:
    from native_align.config import SparkConfig
    from native_align.curate.stage import curate
    from native_align.spark import get_spark

    spark = get_spark(SparkConfig(master="local[2]", shuffle_partitions=4, driver_memory="4g"))
    df = spark.createDataFrame(table.to_pandas()).repartition(4).cache()
    df.count()  # input materialized outside the timing
    with Timer() as t:
        curate(df, cfg).write.format("noop").mode("overwrite").save()
    df.unpersist()
    return t


def run_peer(corpus: Path, limit: int, chain: str = "speed") -> dict | None:
    venv = Path(os.environ.get("NATIVE_ALIGN_BENCH_VENV", REPO / "benchmarks" / ".venvs" / "datatrove"))
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"peer skipped: no virtualenv at {venv} (bash benchmarks/setup_peers.sh datatrove)")
        return None
    cmd = [str(python), str(REPO / "benchmarks" / "peers" / "datatrove_filters.py"), "--corpus", str(corpus),
           "--model", default_model_path(), "--chain", chain]
    if limit:
        cmd += ["--limit", str(limit)]
    t_wall, t_cpu = time.perf_counter(), None
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "LOGURU_LEVEL": "WARNING"})
    if proc.returncode != 0:
        print("peer failed:\n" + proc.stderr[-3000:])
        return None
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["process_wall"] = time.perf_counter() - t_wall
    del t_cpu
    return res


def compare_with_fineweb2(corpus: Path, limit: int, out: pa.Table) -> None:
    """FineWeb-2's arb_Arab quality filters (datatrove) against our keep decision, document by document."""
    peer = run_peer(corpus, limit, chain="fineweb2")
    if not peer:
        return
    theirs = peer["keep"]
    ours = out.column("keep").to_pylist()
    reasons = out.column("reject_reasons").to_pylist()
    nonempty = peer["nonempty"]
    only_ours = [r for o, t, r in zip(ours, theirs, reasons) if t and not o]
    print(f"(d) FineWeb-2 arb_Arab filters (datatrove, no LID): kept {peer['kept']:,} of {nonempty:,} non-empty "
          f"({peer['kept'] / max(nonempty, 1):.2%}) in {peer['seconds']:.0f} s; ours {sum(ours):,} "
          f"({sum(ours) / max(nonempty, 1):.2%})")
    print("    FineWeb-2 top reasons  : " + ", ".join(f"{k}={v:,}" for k, v in peer["top_reasons"]))
    print(f"    both keep {sum(o and t for o, t in zip(ours, theirs)):,}; only FineWeb-2 keeps {len(only_ours):,} "
          f"(our reasons: " + ", ".join(f"{k}={v:,}" for k, v in collections.Counter(
              r for rs in only_ours for r in rs).most_common(6)) + f"); only we keep "
          f"{sum(o and not t for o, t in zip(ours, theirs)):,}")


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.1f} docs/s" if seconds > 0 else "      n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents (default: all)")
    ap.add_argument("--peer-limit", type=int, default=0, help="datatrove on the first N documents only")
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--fineweb2-keep", action="store_true",
                    help="compare keep decisions with FineWeb-2's own filters (datatrove) on every document")
    args = ap.parse_args(argv)

    corpus = shared_data() / "corpus" / "saudinewsnet.jsonl.gz"
    if not corpus.is_file():
        print(f"shared data not found: {corpus} (set NATIVE_ALIGN_SHARED_DATA)")
        return 0
    cfg = CurateConfig()
    table = load_corpus(corpus, args.limit)
    n = table.num_rows
    nonempty = sum(1 for t in table.column("text").to_pylist() if t.strip())
    print(f"corpus: {corpus.name}: {n:,} docs ({nonempty:,} non-empty), "
          f"{sum(len(t) for t in table.column('text').to_pylist()):,} chars; batch {cfg.batch_size}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    t_lid = run_lid(table, cfg)
    print(f"(a) fastText LID alone      : {t_lid.wall:7.1f} s wall {rate(n, t_lid.wall)} | "
          f"{t_lid.cpu:7.1f} s cpu {rate(n, t_lid.cpu)}")
    t_ours, out = run_kernel(table, cfg)
    print(f"(b) curate, Arrow kernel    : {t_ours.wall:7.1f} s wall {rate(n, t_ours.wall)} | "
          f"{t_ours.cpu:7.1f} s cpu {rate(n, t_ours.cpu)}")
    if not args.no_spark:
        t_spark = run_spark(table, cfg)
        print(f"    curate, Spark local[2]  : {t_spark.wall:7.1f} s wall {rate(n, t_spark.wall)} "
              f"(driver cpu not comparable)")
    print(f"    curate / LID alone cost : {t_ours.wall / t_lid.wall:5.2f}x wall, {t_ours.cpu / t_lid.cpu:5.2f}x cpu "
          f"(goal <= 1.5x)")

    keep = out.column("keep").to_pylist()
    kept = sum(keep)
    reasons = collections.Counter(r for rs in out.column("reject_reasons").to_pylist() for r in rs)
    print(f"kept by curate: {kept:,} of {nonempty:,} non-empty ({kept / max(nonempty, 1):.2%}; goal >= 95%); "
          f"rejected {n - kept:,} (incl. {n - nonempty:,} empty)")
    print("top reject reasons: " + ", ".join(f"{k}={v:,}" for k, v in reasons.most_common(10)))

    if not args.no_peer:
        limit = args.peer_limit if args.peer_limit and args.peer_limit < n else (args.limit or 0)
        peer = run_peer(corpus, limit)
        if peer:
            m = peer["docs"]
            if m != n:  # like for like: our kernel again on the same first m documents
                t_same, _ = run_kernel(table.slice(0, m), cfg)
            else:
                t_same = t_ours
            print(f"(c) datatrove 0.10.1 filters: {peer['seconds']:7.1f} s wall {rate(m, peer['seconds'])} "
                  f"on {m:,} docs; kept {peer['kept']:,} of {peer['nonempty']:,} non-empty "
                  f"({peer['kept'] / max(peer['nonempty'], 1):.2%})")
            print("    datatrove top reasons  : " + ", ".join(f"{k}={v:,}" for k, v in peer["top_reasons"]))
            print(f"    ours on the same {m:,} docs: {t_same.wall:7.1f} s wall {rate(m, t_same.wall)}")
            print(f"    ours / datatrove speed  : {peer['seconds'] / t_same.wall:5.1f}x (goal >= 3x, both one "
                  f"process, wall clock)")
    if args.fineweb2_keep:
        compare_with_fineweb2(corpus, args.limit, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
