"""Dedup benchmark: ours vs text-dedup 0.4.0 (MinHash), Spark MLlib MinHashLSH and datatrove 0.10.1 (4-stage
MinHash), in one run on one machine, on SaudiNewsNet (1x) and on its 10x near-duplicate growth
(benchmarks/make_near_dups.py), scored against the exact Jaccard ground truth.

    bash benchmarks/setup_peers.sh                    # once: peer venvs under benchmarks/.venvs/
    python benchmarks/bench_dedup.py [--peers ours,textdedup,mllib,datatrove] [--near-dups 10] [--limit N]

Every method runs in its own subprocess (text-dedup and datatrove from their venvs under benchmarks/.venvs/:
they pin other versions of pandas, pyspark, ...), timed from the outside (wall, including interpreter/JVM start
and reading the input) and from the inside (``core``: the dedup work only, input already loaded); ``cpu`` is the
CPU seconds of the whole process tree (the figure to compare on a loaded machine); peak memory is the largest
summed RSS of the process tree (JVM children included), sampled every 0.1 s with psutil. Inputs are
written once per corpus: Parquet for the Spark methods (read by Spark, no Python rows), JSONL for the others.
Peers get the *normalized* text (the ground truth's view) with their normalization time excluded; ours
normalizes inside its timed run. All MinHash methods use threshold 0.8 and word 5-grams; the peers use 14 bands x
8 rows (112 permutations), the DESIGN's choice; ours its defaults (docs/dedup.md).

Ground truth: exact (prefix-filter join + verification, ``native_align.evaluation.dedup``), computed on both
corpora and cached next to the generated corpus in the work folder (``--work``, default under the system temp
folder), so a rerun does not pay it twice. Goals printed as ratios: ours wall <= 0.5x the fastest peer on the 10x
corpus; ours 10x / 1x <= 11.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent


# ----------------------------------------------------------------------------------------------------------------
# workers (run in subprocesses; peers' workers import only the stdlib and the peer)

def _spark_input(spark, inp: Path):
    """The Parquet input, partitioned by doc_id (as the stage's documents ⨝ signals join leaves it), cached."""
    return spark.read.parquet(str(inp)).repartition(8, "doc_id").cache()


def worker_ours(inp: Path, out: Path, args: dict) -> None:
    from native_align.config import SparkConfig
    from native_align.dedup.stage import find_duplicates
    from native_align.settings import build_settings
    from native_align.spark import get_spark

    spark = get_spark(SparkConfig(master="local[2]", shuffle_partitions=8, driver_memory="4g",
                                  conf={"spark.default.parallelism": "4"}))
    docs = _spark_input(spark, inp)
    docs.count()
    cfg = build_settings({"dedup": args.get("dedup", {})}).dedup
    t0 = time.perf_counter()
    result = find_duplicates(docs, cfg)
    dups = result.duplicates.select("doc_id", "cluster_id", "is_survivor").collect()
    core = time.perf_counter() - t0
    json.dump({"core_seconds": core, "clusters": {r[0]: r[1] for r in dups},
               "removed": [r[0] for r in dups if not r[2]], "stats": result.stats}, out.open("w"))
    spark.stop()


def worker_mllib(inp: Path, out: Path, args: dict) -> None:
    """Spark MLlib: RegexTokenizer((?U)\\w+) -> NGram(5) -> HashingTF(binary) -> MinHashLSH -> similarity join."""
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import HashingTF, MinHashLSH, NGram, RegexTokenizer
    from pyspark.sql import functions as F

    from native_align.config import SparkConfig
    from native_align.spark import get_spark

    spark = get_spark(SparkConfig(master="local[2]", shuffle_partitions=8, driver_memory="4g"))
    df = _spark_input(spark, inp).select(F.col("doc_id").alias("id"), "text").cache()
    df.count()
    t0 = time.perf_counter()
    pipe = Pipeline(stages=[
        # Java's \w is ASCII-only unless (?U): without it Arabic text has no tokens at all.
        RegexTokenizer(inputCol="text", outputCol="tokens", pattern=r"(?U)\w+", gaps=False, minTokenLength=1),
        NGram(n=5, inputCol="tokens", outputCol="grams"),
        HashingTF(inputCol="grams", outputCol="features", numFeatures=1 << 24, binary=True),
    ])
    feats = pipe.fit(df).transform(df).where(F.size("grams") > 0).select("id", "features").cache()
    model = MinHashLSH(inputCol="features", outputCol="hashes", numHashTables=args.get("tables", 5), seed=42).fit(feats)
    pairs = (model.approxSimilarityJoin(feats, feats, 1.0 - 0.8, distCol="dist")
             .where(F.col("datasetA.id") < F.col("datasetB.id"))
             .select(F.col("datasetA.id").alias("a"), F.col("datasetB.id").alias("b")).collect())
    from native_align.evaluation.dedup import union_find

    clusters = union_find(pairs)
    core = time.perf_counter() - t0
    json.dump({"core_seconds": core, "clusters": clusters,
               "removed": [d for d, c in clusters.items() if d != c]}, out.open("w"))
    spark.stop()


def worker_datatrove(inp: Path, out: Path, args: dict) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    work = Path(tempfile.mkdtemp(prefix="bench-datatrove-"))
    cfg = MinhashConfig(hash_config=HashConfig(precision=64), num_buckets=14, hashes_per_bucket=8, n_grams=5)
    data_dir = str(inp.parent)
    reader = lambda: JsonlReader(data_dir, glob_pattern=inp.name, text_key="text", id_key="id")  # noqa: E731
    t0 = time.perf_counter()
    LocalPipelineExecutor(pipeline=[reader(), MinhashDedupSignature(output_folder=str(work / "sigs"), config=cfg,
                                                                    language=args.get("language", "ar"))],
                          tasks=2, workers=2, logging_dir=str(work / "logs1")).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(input_folder=str(work / "sigs"),
                                                        output_folder=str(work / "buckets"), config=cfg)],
                          tasks=cfg.num_buckets, workers=2, logging_dir=str(work / "logs2")).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupCluster(input_folder=str(work / "buckets"),
                                                        output_folder=str(work / "remove"), config=cfg,
                                                        save_cluster_id=True)],
                          tasks=1, logging_dir=str(work / "logs3")).run()
    LocalPipelineExecutor(pipeline=[reader(),
                                    MinhashDedupFilter(input_folder=str(work / "remove"), load_cluster_ids=True,
                                                       exclusion_writer=JsonlWriter(str(work / "removed"))),
                                    JsonlWriter(str(work / "kept"))],
                          tasks=2, workers=2, logging_dir=str(work / "logs4")).run()
    core = time.perf_counter() - t0
    import gzip

    clusters, removed = {}, []
    for kind in ("kept", "removed"):
        for f in sorted((work / kind).glob("*")):
            opener = gzip.open if f.suffix == ".gz" else open
            with opener(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    rec = json.loads(line)
                    cid = (rec.get("metadata") or {}).get("minhash_cluster_id")
                    if cid is not None and cid != -1:
                        clusters[rec["id"]] = f"c{cid}"
                    if kind == "removed":
                        removed.append(rec["id"])
    json.dump({"core_seconds": core, "clusters": clusters, "removed": removed}, out.open("w"))


def worker_textdedup(inp: Path, out: Path, args: dict) -> None:
    import datasets
    import text_dedup.minhash as tdm
    from text_dedup.utils import IOArgs, MetaArgs, MinHashArgs

    work = Path(tempfile.mkdtemp(prefix="bench-textdedup-"))
    ids = [json.loads(line)["id"] for line in inp.open(encoding="utf-8")]
    datasets.Dataset.from_json(str(inp), cache_dir=str(work / "cache")).save_to_disk(str(work / "ds"))
    t0 = time.perf_counter()
    tdm.main.callback(
        io_args=IOArgs(path=str(work / "ds"), output=str(work / "out"), local=True, num_proc=2,
                       cache_dir=str(work / "cache")),
        meta_args=MetaArgs(column="text", batch_size=10_000),
        minhash_args=MinHashArgs(ngram=5, num_perm=112, threshold=0.8, b=14, r=8, min_length=5))
    core = time.perf_counter() - t0
    from collections import Counter

    roots = {i: tdm.uf.find(i) for i in range(len(ids))}  # the kept record of a cluster is its root
    sizes = Counter(roots.values())
    clusters = {ids[i]: f"c{r}" for i, r in roots.items() if sizes[r] >= 2}
    removed = [ids[i] for i, r in roots.items() if sizes[r] >= 2 and i != r]
    json.dump({"core_seconds": core, "clusters": clusters, "removed": removed}, out.open("w"))


WORKERS = {"ours": worker_ours, "mllib": worker_mllib, "datatrove": worker_datatrove, "textdedup": worker_textdedup}


# ----------------------------------------------------------------------------------------------------------------
# parent: inputs, subprocesses, measurement, scoring

def run_measured(cmd: list[str], env: dict | None = None, log: Path | None = None,
                 timeout: float | None = None) -> tuple[int, float, float, float]:
    """(returncode, wall seconds, peak RSS GiB, CPU seconds) of the process tree; past ``timeout`` the tree is
    killed (rc -9). CPU seconds: user + system of every process seen in the tree, at its last sample (a process
    that lives under 0.1 s is missed); unlike wall time it hardly moves with the machine's load."""
    import psutil

    t0 = time.perf_counter()
    cpu: dict[int, float] = {}
    with (log.open("w") if log else open(os.devnull, "w")) as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        ps = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            total = 0
            try:
                tree = [ps, *ps.children(recursive=True)]
            except psutil.Error:
                tree = []
            for p in tree:
                try:
                    total += p.memory_info().rss
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
            peak = max(peak, total)
            if timeout is not None and time.perf_counter() - t0 > timeout:
                for p in reversed(tree):
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                proc.wait()
                return -9, time.perf_counter() - t0, peak / 2**30, sum(cpu.values())
            time.sleep(0.1)
    return proc.returncode, time.perf_counter() - t0, peak / 2**30, sum(cpu.values())


VENVS = REPO / "benchmarks" / ".venvs"


def python_for(method: str) -> str | None:
    """Ours and MLlib run in the project's interpreter; peers in their venv built by setup_peers.sh."""
    if method in ("ours", "mllib"):
        return sys.executable
    path = VENVS / method / "bin" / "python"
    return str(path) if path.is_file() else None


# ----------------------------------------------------------------------------------------------------------------
# inputs and ground truth

def write_inputs(corpus, folder: Path) -> dict[str, Path]:
    """raw.parquet (ours: the documents columns), norm.parquet (MLlib) and norm.jsonl (peers)."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    from native_align.text.normalize import normalize_batch

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"raw": folder / "raw.parquet", "norm_parquet": folder / "norm.parquet", "norm": folder / "norm.jsonl"}
    if all(p.exists() for p in paths.values()):
        return paths
    norm = [t for i in range(0, len(corpus.texts), 5000) for t in normalize_batch(corpus.texts[i:i + 5000])]
    n = len(corpus.doc_ids)
    nulls = pa.nulls(n, pa.string())
    # content_hash is ingest's column (sha1 of the normalized text), so it is an input here, not dedup work.
    pq.write_table(pa.table({
        "doc_id": corpus.doc_ids, "source": corpus.sources, "url": nulls, "title": nulls, "date": corpus.dates,
        "text": corpus.texts, "content_hash": [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in norm],
        "n_chars": pa.array([len(t) for t in corpus.texts], pa.int64()), "lang": ["ar"] * n,
        "quality_score": pa.nulls(n, pa.float64())}), paths["raw"])
    pq.write_table(pa.table({"doc_id": corpus.doc_ids, "text": norm}), paths["norm_parquet"])
    with paths["norm"].open("w", encoding="utf-8") as fh:
        for d, t in zip(corpus.doc_ids, norm):
            fh.write(json.dumps({"id": d, "text": t}, ensure_ascii=False) + "\n")
    return paths


def cached_ground_truth(corpus, cache: Path) -> tuple[list, float]:
    """Exact ground truth pairs, from ``cache`` (.npz) when it is there; (pairs, seconds spent)."""
    import numpy as np

    from native_align.evaluation.dedup import ground_truth_pairs

    if cache.exists():
        z = np.load(cache)
        return list(zip(z["a"].tolist(), z["b"].tolist(), z["j"].tolist())), 0.0
    t0 = time.perf_counter()
    gt = ground_truth_pairs(corpus.texts, processes=os.cpu_count() or 1)
    np.savez(cache, a=np.array([p[0] for p in gt], np.int64), b=np.array([p[1] for p in gt], np.int64),
             j=np.array([p[2] for p in gt]))
    return gt, time.perf_counter() - t0


def near_dup_corpus(work: Path, factor: int, limit: int | None, seed: int = 0) -> Path:
    """The generated corpus (benchmarks/make_near_dups.py), built once per (factor, seed, limit) in ``work``."""
    path = work / (f"near_dups_x{factor}_s{seed}" + (f"_l{limit}" if limit else "") + ".jsonl.gz")
    if not path.exists():
        cmd = [sys.executable, str(HERE.parent / "make_near_dups.py"), "--out", str(path), "--factor", str(factor),
               "--seed", str(seed)] + (["--limit", str(limit)] if limit else [])
        subprocess.run(cmd, check=True)
    return path


# ----------------------------------------------------------------------------------------------------------------
# one corpus, every method

ROW = "{:<11}{:>8}{:>8}{:>8}{:>8}{:>9}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}  {:>6}"


def bench_corpus(label: str, corpus, gt, folder: Path, methods: list[str], env: dict, timeout: float) -> dict:
    """Run every method on one corpus; print one row each; return {method: figures}."""
    from native_align.evaluation.dedup import score

    paths = write_inputs(corpus, folder)
    print(ROW.format("method", "core_s", "wall_s", "cpu_s", "peakGiB", "removed", "doc_P", "doc_R", "doc_F1", "pair_P",
                     "pair_R", "pair_F1"), flush=True)
    results = {}
    for method in methods:
        py = python_for(method)
        if py is None:
            print(f"{method:<11}SKIPPED: no venv at {VENVS / method} (bash benchmarks/setup_peers.sh {method})")
            continue
        out = folder / f"{method}.json"
        out.unlink(missing_ok=True)
        inp = {"ours": paths["raw"], "mllib": paths["norm_parquet"]}.get(method, paths["norm"])
        cmd = [py, str(HERE), "--worker", method, "--input", str(inp), "--output", str(out)]
        rc, wall, peak, cpu = run_measured(cmd, env, folder / f"{method}.log", timeout)
        if rc != 0 or not out.is_file():
            why = f"timed out after {wall:.0f} s" if rc == -9 else f"FAILED (exit {rc})"
            tail = (folder / f"{method}.log").read_text(errors="replace").strip().splitlines()[-2:]
            print(f"{method:<11}{why}: {' | '.join(tail)[:200]}", flush=True)
            results[method] = {"failed": why, "wall_s": wall, "peak_gib": peak}
            continue
        res = json.loads(out.read_text())
        s = score(corpus.doc_ids, gt, res["clusters"], set(res["removed"]))
        results[method] = {"core_s": res["core_seconds"], "wall_s": wall, "cpu_s": cpu, "peak_gib": peak, **s,
                           "stats": res.get("stats", {})}
        print(ROW.format(method, f"{res['core_seconds']:.1f}", f"{wall:.1f}", f"{cpu:.1f}", f"{peak:.2f}",
                         f"{s['removed']:,}",
                         *(f"{s[k]:.4f}" for k in ("doc_precision", "doc_recall", "doc_f1", "pair_precision",
                                                   "pair_recall", "pair_f1"))), flush=True)
    ours = results.get("ours", {})
    peers = {m: r for m, r in results.items() if m != "ours" and "failed" not in r}
    if "core_s" in ours and peers:
        fastest = min(peers, key=lambda m: peers[m]["wall_s"])
        p = peers[fastest]
        print(f"[{label}] ours / fastest peer ({fastest}): wall {ours['wall_s'] / p['wall_s']:.2f}x, core "
              f"{ours['core_s'] / p['core_s']:.2f}x, cpu {ours['cpu_s'] / p['cpu_s']:.2f}x (goal <= 0.5x); "
              f"doc F1 {ours['doc_f1']:.4f} vs "
              f"{p['doc_f1']:.4f}, pair F1 {ours['pair_f1']:.4f} vs {p['pair_f1']:.4f}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--args", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--peers", default="ours,textdedup,mllib,datatrove")
    parser.add_argument("--near-dups", type=int, default=10, help="also the Nx near-duplicate corpus (0: skip)")
    parser.add_argument("--only-near-dups", action="store_true", help="skip the 1x corpus")
    parser.add_argument("--limit", type=int, default=None, help="first N SaudiNewsNet records only")
    parser.add_argument("--corpus", default=None, help="SaudiNewsNet JSONL.gz (default: from the shared data)")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds per method and corpus (MLlib and datatrove need more on the 10x corpus)")
    parser.add_argument("--work", default=None, help="work folder (inputs, cached corpus and ground truth, logs)")
    ns = parser.parse_args(argv)
    if ns.worker:
        WORKERS[ns.worker](Path(ns.input), Path(ns.output), json.loads(ns.args))
        return 0

    sys.path.insert(0, str(REPO))
    from native_align.evaluation.dedup import DEFAULT_CORPUS, gt_summary, load_corpus, shared_data_dir

    path = Path(ns.corpus) if ns.corpus else shared_data_dir() / DEFAULT_CORPUS
    if not path.is_file():
        print(f"bench_dedup: corpus not found at {path}; set NATIVE_ALIGN_SHARED_DATA")
        return 2
    work = Path(ns.work) if ns.work else Path(tempfile.gettempdir()) / "native-align-bench-dedup"
    work.mkdir(parents=True, exist_ok=True)
    methods = [m.strip() for m in ns.peers.split(",") if m.strip()]
    env = dict(os.environ, PYTHONPATH=str(REPO), SPARK_LOCAL_IP="127.0.0.1")
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start; work folder {work}")
    corpora = [] if ns.only_near_dups else [("1x", path, ns.limit)]
    if ns.near_dups > 1:
        corpora.append((f"{ns.near_dups}x", near_dup_corpus(work, ns.near_dups, ns.limit), None))
    all_results = {}
    for label, cpath, limit in corpora:
        corpus = load_corpus(cpath, limit)
        tag = cpath.name.removesuffix(".jsonl.gz") + (f"_l{limit}" if limit else "")
        gt, secs = cached_ground_truth(corpus, work / f"{tag}.gt.npz")
        g = gt_summary(corpus.doc_ids, gt)
        print(f"\n[{label}] {cpath.name}: {len(corpus.doc_ids):,} docs; exact ground truth {g['pairs']:,} pairs, "
              f"{g['docs_in_pairs']:,} docs in pairs, {g['clusters']:,} clusters, {g['ideal_removals']:,} ideal "
              f"removals ({'cached' if not secs else f'{secs:.0f} s'}); load {os.getloadavg()[0]:.1f}", flush=True)
        all_results[label] = bench_corpus(label, corpus, gt, work / tag, methods, env, ns.timeout)
        del corpus, gt
    one, big = all_results.get("1x", {}).get("ours", {}), all_results.get(f"{ns.near_dups}x", {}).get("ours", {})
    if "core_s" in one and "core_s" in big:
        print(f"ours {ns.near_dups}x / 1x: core {big['core_s'] / one['core_s']:.2f}x, wall "
              f"{big['wall_s'] / one['wall_s']:.2f}x, cpu {big['cpu_s'] / one['cpu_s']:.2f}x "
              f"(goal <= {ns.near_dups * 1.1:.0f})")
    (work / "results.json").write_text(json.dumps(all_results, indent=1))
    print(f"load average {os.getloadavg()[0]:.1f} at end; results in {work / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
