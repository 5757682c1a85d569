"""Dedup benchmark on SaudiNewsNet: ours vs datatrove 0.10.1 (4-stage MinHash), text-dedup (MinHash) and Spark
MLlib MinHashLSH, in one run on one machine, plus ours on 1x and 4x the corpus.

    python benchmarks/bench_dedup.py [--peers ours,datatrove,textdedup,mllib] [--scale 4] [--limit N]

Every method runs in its own subprocess (peers from their own virtualenvs: they pin other versions of pandas,
pyspark, ...), timed from the outside (wall, including interpreter/JVM start) and from the inside (``core``:
the dedup work only, input already loaded); peak memory is the largest summed RSS of the process tree (JVM
children included), sampled every 0.1 s with psutil. Quality is scored against the exact Jaccard ground truth
of ``native-align eval dedup`` (computed here, at run time). Peers get the *normalized* text (the ground truth's
view) with their normalization time excluded; ours normalizes inside its timed run. All MinHash methods use
threshold 0.8 and word 5-grams; the peers use 14 bands x 8 rows (112 permutations), the DESIGN's choice; ours
its defaults (see docs/dedup.md).

Goals printed as ratios: ours wall <= 0.5x the fastest peer at equal or better F1; 4x corpus <= 4.4x time.
Environment variables: BENCH_DATATROVE_PY, BENCH_TEXTDEDUP_PY (python of the peer venvs; defaults
/work/bench-venv/bin/python and /work/bench-venv-textdedup/bin/python).
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

def worker_ours(inp: Path, out: Path, args: dict) -> None:
    from native_align.config import SparkConfig
    from native_align.settings import build_settings
    from native_align.spark import get_spark
    from native_align.dedup.stage import find_duplicates

    rows = [json.loads(line) for line in inp.open(encoding="utf-8")]
    spark = get_spark(SparkConfig(master="local[2]", shuffle_partitions=8, driver_memory="4g",
                                  conf={"spark.default.parallelism": "4"}))
    schema = ("doc_id string, source string, url string, title string, date string, text string, "
              "content_hash string, n_chars long, lang string, quality_score double")
    from native_align.text.normalize import content_hash

    data = [(r["id"], "snn", None, None, None, r["text"], content_hash(r["text"]), len(r["text"]), "ar", None)
            for r in rows]
    docs = spark.createDataFrame(data, schema).repartition(8).cache()
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

    rows = [json.loads(line) for line in inp.open(encoding="utf-8")]
    spark = get_spark(SparkConfig(master="local[2]", shuffle_partitions=8, driver_memory="4g"))
    df = spark.createDataFrame([(r["id"], r["text"]) for r in rows], "id string, text string").repartition(8).cache()
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

def run_measured(cmd: list[str], env: dict | None = None, log: Path | None = None) -> tuple[int, float, float]:
    """(returncode, wall seconds, peak RSS GiB of the process tree)."""
    import psutil

    t0 = time.perf_counter()
    with (log.open("w") if log else open(os.devnull, "w")) as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        ps = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            total = 0
            try:
                for p in [ps, *ps.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            peak = max(peak, total)
            time.sleep(0.1)
    return proc.returncode, time.perf_counter() - t0, peak / 2**30


def python_for(method: str) -> str | None:
    if method in ("ours", "mllib"):
        return sys.executable
    env = {"datatrove": "BENCH_DATATROVE_PY", "textdedup": "BENCH_TEXTDEDUP_PY"}[method]
    default = {"datatrove": "/work/bench-venv/bin/python", "textdedup": "/work/bench-venv-textdedup/bin/python"}
    path = os.environ.get(env, default[method])
    return path if Path(path).is_file() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--args", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--peers", default="ours,datatrove,textdedup,mllib")
    parser.add_argument("--scale", type=int, default=4, help="also time ours on this many copies (0: skip)")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--corpus", default=None)
    ns = parser.parse_args(argv)
    if ns.worker:
        WORKERS[ns.worker](Path(ns.input), Path(ns.output), json.loads(ns.args))
        return 0

    sys.path.insert(0, str(REPO))
    from native_align.evaluation.dedup import (DEFAULT_CORPUS, HEADER, format_scores, ground_truth_pairs, gt_summary,
                                               load_corpus, score, shared_data_dir)
    from native_align.text.normalize import normalize_for_matching

    path = Path(ns.corpus) if ns.corpus else shared_data_dir() / DEFAULT_CORPUS
    if not path.is_file():
        print(f"bench_dedup: corpus not found at {path}; set NATIVE_ALIGN_SHARED_DATA")
        return 2
    corpus = load_corpus(path, ns.limit)
    work = Path(tempfile.mkdtemp(prefix="bench-dedup-"))
    raw, norm = work / "raw.jsonl", work / "norm.jsonl"
    with raw.open("w", encoding="utf-8") as fr, norm.open("w", encoding="utf-8") as fn:
        for d, t in zip(corpus.doc_ids, corpus.texts):
            fr.write(json.dumps({"id": d, "text": t}, ensure_ascii=False) + "\n")
            fn.write(json.dumps({"id": d, "text": normalize_for_matching(t)}, ensure_ascii=False) + "\n")
    t0 = time.perf_counter()
    gt = ground_truth_pairs(corpus.texts)
    summary = gt_summary(corpus.doc_ids, gt)
    print(f"corpus {path.name}: {len(corpus.doc_ids):,} docs ({corpus.empty_dropped} empty dropped); ground truth "
          f"{summary['pairs']:,} pairs, {summary['docs_in_pairs']:,} docs in pairs, {summary['clusters']:,} "
          f"clusters, {summary['ideal_removals']:,} ideal removals ({time.perf_counter() - t0:.1f} s)")
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start")
    print(f"{HEADER}  {'wall_s':>7} {'peakGiB':>7}")

    env = dict(os.environ, PYTHONPATH=str(REPO), SPARK_LOCAL_IP="127.0.0.1")
    results = {}
    for method in [m.strip() for m in ns.peers.split(",") if m.strip()]:
        py = python_for(method)
        if py is None:
            print(f"{method:<28} SKIPPED: its virtualenv python was not found (see the module docstring)")
            continue
        out = work / f"{method}.json"
        cmd = [py, str(HERE), "--worker", method, "--input", str(raw if method == "ours" else norm),
               "--output", str(out)]
        rc, wall, peak = run_measured(cmd, env, work / f"{method}.log")
        if rc != 0 or not out.is_file():
            tail = (work / f"{method}.log").read_text(errors="replace").strip().splitlines()[-3:]
            print(f"{method:<28} FAILED (exit {rc}): {' | '.join(tail)}")
            continue
        res = json.loads(out.read_text())
        s = score(corpus.doc_ids, gt, res["clusters"], set(res["removed"]))
        results[method] = (s, wall, res["core_seconds"])
        print(f"{format_scores(method, s, res['core_seconds'])}  {wall:7.1f} {peak:7.2f}")

    if "ours" in results and len(results) > 1:
        ours_s, ours_wall, ours_core = results["ours"]
        peers = {m: r for m, r in results.items() if m != "ours"}
        fastest = min(peers, key=lambda m: peers[m][1])
        ps, pwall, pcore = peers[fastest]
        print(f"ours / fastest peer ({fastest}): wall {ours_wall / pwall:.2f}x, core {ours_core / pcore:.2f}x "
              f"(goal <= 0.5x); F1 doc {ours_s['doc_f1']:.4f} vs {ps['doc_f1']:.4f}, "
              f"pair {ours_s['pair_f1']:.4f} vs {ps['pair_f1']:.4f}")

    if ns.scale and ns.scale > 1:
        big = work / f"raw_x{ns.scale}.jsonl"
        with big.open("w", encoding="utf-8") as fb:
            for k in range(ns.scale):
                for d, t in zip(corpus.doc_ids, corpus.texts):
                    fb.write(json.dumps({"id": d if k == 0 else f"{d}-c{k}", "text": t}, ensure_ascii=False) + "\n")
        times = {}
        for label, inp in (("1x", raw), (f"{ns.scale}x", big)):
            out = work / f"scale_{label}.json"
            rc, wall, peak = run_measured([sys.executable, str(HERE), "--worker", "ours", "--input", str(inp),
                                           "--output", str(out)], env, work / f"scale_{label}.log")
            if rc != 0:
                print(f"scale {label}: FAILED (exit {rc}), see {work / f'scale_{label}.log'}")
                break
            times[label] = (json.loads(out.read_text())["core_seconds"], wall, peak)
            print(f"ours {label}: core {times[label][0]:.1f} s, wall {wall:.1f} s, peak {peak:.2f} GiB")
        if len(times) == 2:
            one, many = times["1x"], times[f"{ns.scale}x"]
            print(f"scaling {ns.scale}x corpus: core {many[0] / one[0]:.2f}x, wall {many[1] / one[1]:.2f}x "
                  f"(goal <= {ns.scale * 1.1:.1f})")
    print(f"load average {os.getloadavg()[0]:.1f} at end; work files in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
