"""Export and report at 1x and 10x SaudiNewsNet: wall time, the Python driver's peak RSS, the machine's CPU use.

    python benchmarks/bench_export.py [--scale 10] [--shard-mib 8] [--skip-report]

Nothing at corpus scale may pass through the driver (issue 17): from 1x to 10x the driver's peak RSS must stay
within 1.2x and the export's time within 11x. The corpus is ``../shared/data/corpus/saudinewsnet.jsonl.gz``
(31,030 articles, field ``content``); the 10x copy suffixes doc ids ``-0`` .. ``-9``. Both are written as
`curated` Delta tables in a temp folder, with an `aligned` table (20% of documents, status ok, a cut-down rewrite)
for the report. Every measurement runs in its own subprocess with its own local Spark (``local[2]``), timed from the
stage call to its return (Spark started, tables written beforehand); a thread samples the process's own RSS (the
Python driver, not the JVM, which in local mode also holds the executors) and the machine's CPU every 0.2 s.
Prints one line per measurement and the ratios. Skips cleanly (exit 0) when the corpus is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
CORPUS = Path(os.environ.get("NATIVE_ALIGN_SHARED_DATA", REPO.parent / "shared" / "data")) / "corpus" / \
    "saudinewsnet.jsonl.gz"
ALIGNED_SHARE = 0.2


def _spark():
    from native_align.config import SparkConfig
    from native_align.spark import get_spark

    return get_spark(SparkConfig(master="local[2]", shuffle_partitions=8, driver_memory="3g",
                                 conf={"spark.default.parallelism": "4"}))


def _ctx(spark, root: Path, out: Path, shard_bytes: int):
    from native_align.context import Context
    from native_align.settings import build_settings

    return Context.create(build_settings({
        "tables": {"root": str(root / "tables"), "staging_root": str(root / "staging"),
                   "checkpoint_dir": str(root / "checkpoints")},
        "export": {"output_dir": str(out / "export"), "mix": "hybrid", "shard_bytes": shard_bytes},
        "report": {"output_dir": str(out / "report"), "perplexity": {"enabled": False}},
    }), spark=spark)


def prepare(root: Path, scale: int) -> None:
    """Write `curated` (and `aligned`) for ``scale`` copies of the corpus, entirely in Spark (no driver rows)."""
    from pyspark.sql import functions as F

    from native_align.rewrite.schema import ALIGNED_SCHEMA

    spark = _spark()
    ctx = _ctx(spark, root, root, 1 << 20)
    raw = spark.read.json(str(CORPUS)).where(F.length(F.coalesce("content", F.lit(""))) > 0) \
        .withColumn("_line", F.monotonically_increasing_id())   # one gzip file: one partition, a stable order
    copies = spark.range(scale).withColumnRenamed("id", "_copy")
    docs = raw.crossJoin(copies).select(
        F.concat(F.lit("snn"), F.col("_line").cast("string"), F.lit("-"), F.col("_copy").cast("string"))
        .alias("doc_id"), F.col("source"), F.col("url"), F.col("title"),
        F.substring("date_extracted", 1, 10).alias("date"), F.col("content").alias("text"))
    curated = docs.select("doc_id", "source", "url", "title", "date", "text",
                          F.sha2("text", 256).alias("content_hash"), F.length("text").cast("long").alias("n_chars"),
                          F.lit("ar").alias("lang"), F.lit(None).cast("double").alias("quality_score"),
                          F.lit(0).alias("boilerplate_lines_removed")).repartition(8)
    ctx.tables.overwrite("curated", curated)
    ok = curated.where(F.abs(F.hash("doc_id")) % 100 < int(100 * ALIGNED_SHARE))
    rewrite = F.substring("text", 1, (F.length("text") * 0.8).cast("int"))   # a shorter "rewrite"
    aligned = ok.select("doc_id", F.lit("bench").alias("model"), F.lit("v1").alias("prompt_version"),
                        F.lit("bench").alias("engine"), F.col("text").alias("original_text"), rewrite.alias("rewrite"),
                        F.lit("ok").alias("status"), F.array().cast("array<string>").alias("reasons"),
                        F.lit(1).alias("pieces"), F.lit(1).cast("long").alias("prompt_tokens"),
                        F.lit(1).cast("long").alias("completion_tokens"), F.lit(None).cast("string").alias("error"),
                        F.current_timestamp().alias("created_at"), F.lit("bench").alias("run_id"))
    ctx.tables.overwrite("aligned", aligned.select([f.name for f in ALIGNED_SCHEMA.fields]))
    n = ctx.tables.read("curated").count()
    print(json.dumps({"scale": scale, "documents": n}))
    spark.stop()


class Sampler:
    """Peak RSS of this process and mean machine CPU %, sampled in a thread."""

    def __init__(self, every: float = 0.2):
        import psutil

        self._proc, self._psutil, self._every = psutil.Process(), psutil, every
        self.peak_rss, self.cpu = self._proc.memory_info().rss, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self._psutil.cpu_percent(None)
        while not self._stop.wait(self._every):
            self.peak_rss = max(self.peak_rss, self._proc.memory_info().rss)
            self.cpu.append(self._psutil.cpu_percent(None))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_rss = max(self.peak_rss, self._proc.memory_info().rss)


def measure(root: Path, stage: str, shard_bytes: int) -> None:
    spark = _spark()
    out = Path(tempfile.mkdtemp(prefix=f"out-{stage}-", dir=root))
    ctx = _ctx(spark, root, out, shard_bytes)
    ctx.tables.read("curated").limit(1).collect()     # Delta log read and JIT warm-up, not timed
    import psutil

    rss_before = psutil.Process().memory_info().rss
    with Sampler() as s:
        t0 = time.perf_counter()
        if stage == "export":
            from native_align.export.stage import export

            m = export(ctx)
            counts = {"documents": m["documents"], "shards": len(m["shards"]), "partitions": m["partitions"],
                      "bytes": m["bytes"]}
        else:
            from native_align.report.stage import write_report

            counts = write_report(ctx)
        wall = time.perf_counter() - t0
    print(json.dumps({"stage": stage, "wall_s": wall, "peak_rss_mib": s.peak_rss / 2 ** 20,
                      "rss_before_mib": rss_before / 2 ** 20, "cpu_mean_pct": sum(s.cpu) / max(len(s.cpu), 1),
                      "load_avg_1m": os.getloadavg()[0], "counts": counts}))
    spark.stop()


def _worker(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, str(HERE), *args], capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"worker {args} failed:\n{proc.stderr[-4000:]}")
    return json.loads([line for line in proc.stdout.splitlines() if line.startswith("{")][-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=int, default=10)
    p.add_argument("--shard-mib", type=float, default=8.0, help="export.shard_bytes in MiB (default 8)")
    p.add_argument("--skip-report", action="store_true")
    p.add_argument("--worker", choices=["prepare", "measure"], help=argparse.SUPPRESS)
    p.add_argument("--root", help=argparse.SUPPRESS)
    p.add_argument("--stage", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker == "prepare":
        prepare(Path(args.root), args.scale)
        return 0
    if args.worker == "measure":
        measure(Path(args.root), args.stage, int(args.shard_mib * 2 ** 20))
        return 0
    if not CORPUS.is_file():
        print(f"SKIP: {CORPUS} not found (shared data absent)")
        return 0
    import psutil

    print(f"bench_export: {CORPUS.name}, scales 1 and {args.scale}, shard_bytes {args.shard_mib:g} MiB, "
          f"{psutil.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    stages = ["export"] + ([] if args.skip_report else ["report"])
    results: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        for scale in (1, args.scale):
            root = Path(tmp) / f"x{scale}"
            t0 = time.perf_counter()
            prep = _worker(["--worker", "prepare", "--root", str(root), "--scale", str(scale)])
            print(f"  prepared {scale}x: {prep['documents']:,} documents in {time.perf_counter() - t0:.0f} s")
            for stage in stages:
                r = _worker(["--worker", "measure", "--root", str(root), "--stage", stage,
                             "--shard-mib", str(args.shard_mib)])
                results[(stage, scale)] = r
                print(f"  {stage:<6} {scale:>2}x: wall {r['wall_s']:7.1f} s  driver peak RSS "
                      f"{r['peak_rss_mib']:6.0f} MiB (before {r['rss_before_mib']:.0f})  machine CPU "
                      f"{r['cpu_mean_pct']:5.1f}%  load {r['load_avg_1m']:.1f}  {r['counts']}")
    print("ratios (10x / 1x):")
    goals = {"export": (1.2, 11.0), "report": (1.2, None)}
    ok = True
    for stage in stages:
        a, b = results[(stage, 1)], results[(stage, args.scale)]
        rss, wall = b["peak_rss_mib"] / a["peak_rss_mib"], b["wall_s"] / a["wall_s"]
        rss_goal, wall_goal = goals[stage]
        verdict = [f"driver RSS {rss:.2f}x (goal <= {rss_goal}x: {'OK' if rss <= rss_goal else 'MISSED'})"]
        ok &= rss <= rss_goal
        if wall_goal:
            verdict.append(f"time {wall:.2f}x (goal <= {wall_goal}x: {'OK' if wall <= wall_goal else 'MISSED'})")
            ok &= wall <= wall_goal
        else:
            verdict.append(f"time {wall:.2f}x")
        print(f"  {stage}: " + "; ".join(verdict))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
