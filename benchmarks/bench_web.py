"""Web input throughput: WARC parsers, then our ingest + extraction against datatrove's, in one run.

    bash benchmarks/setup_peers.sh datatrove          # once: datatrove 0.10.1 in benchmarks/.venvs/datatrove
    python benchmarks/bench_web.py [--n 300] [--data DIR] [--no-peer]

On the same generated WARCs (scripts/make_web_sample.py: SaudiNewsNet pages when ../shared/data is there):
  (a) parsers, records/s (every record's payload read): FastWARC through our reader (own gzip layer that reports a
      cut-short member), FastWARC alone (its own gzip), warcio;
  (b) documents/s per core of ``process_warc_stream`` (default settings: Resiliparse; and with Trafilatura) and of
      datatrove 0.10.1's WarcReader + Trafilatura extractor (its defaults, as FineWeb runs it), in its own venv.
Per core = documents / CPU seconds of the process and its children (datatrove extracts in a child process), so
the figure does not depend on what else the shared machine runs. Goal: ours >= 3x datatrove. F1 / leak are eval
web's measures over the truth's article pages, so speed is never bought with quality unseen.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PEER_PYTHON = REPO / "benchmarks" / ".venvs" / "datatrove" / "bin" / "python"


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


# -- peer side (runs in the datatrove venv: only the standard library and datatrove) ---------------------------------
def run_datatrove(folder: str, texts_out: str | None = None) -> dict:
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import WarcReader

    names = sorted(p.name for p in Path(folder).glob("*.warc.gz"))
    errors: list[str] = []

    def documents():
        # One reader per file: a truncated .gz raises EOFError out of WarcReader and would end the whole run.
        for name in names:
            try:
                yield from WarcReader(folder, glob_pattern=name).run(None, 0, 1)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(f"{name}: {type(exc).__name__}")

    extractor = Trafilatura()  # datatrove's defaults: favour_precision, 1 s timeout per page, deduplicate
    list(extractor.run(iter([]), 0, 1))  # import trafilatura outside the timing
    wall, cpu = time.perf_counter(), cpu_seconds()
    texts = {doc.id: doc.text for doc in extractor.run(documents(), 0, 1)}
    result = {"docs": len(texts), "wall": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu, "errors": errors}
    if texts_out:
        Path(texts_out).write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    return result


# -- our side ------------------------------------------------------------------------------------------------------
def generate(n: int, seed: int) -> tuple[Path, str]:
    sys.path.insert(0, str(REPO))
    from native_align.evaluation.web import load_generator, shared_data_dir

    gen = load_generator()
    corpus = shared_data_dir() / "corpus" / "saudinewsnet.jsonl.gz"
    src = corpus if corpus.exists() else gen.OWN_ARTICLES
    out = Path(tempfile.mkdtemp(prefix="bench-web-"))
    gen.generate(gen.load_articles(src), out, n, seed)
    return out, f"{n} pages from {src.name} (seed {seed})"


def best_of(fn, files: list[bytes], repeat: int) -> tuple[int, float]:
    best, n = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = sum(fn(data) for data in files)
        best = min(best, time.perf_counter() - t0)
    return n, best


def parser_rates(files: list[bytes], repeat: int) -> dict[str, float]:
    from fastwarc.warc import ArchiveIterator as FastIterator
    from warcio.archiveiterator import ArchiveIterator as WarcioIterator

    from native_align.ingest.web.warc import ReadStats, iter_records

    every = frozenset({"warcinfo", "request", "response", "metadata", "revisit", "resource", "conversion"})

    def ours(data: bytes) -> int:
        stats = ReadStats()
        for _ in iter_records(io.BytesIO(data), "x", every, stats):
            pass
        return stats.records

    def fastwarc_alone(data: bytes) -> int:
        n = 0
        for rec in FastIterator(io.BytesIO(data), parse_http=True):
            rec.reader.read()
            n += 1
        return n

    def warcio(data: bytes) -> int:
        n = 0
        for rec in WarcioIterator(io.BytesIO(data)):
            rec.content_stream().read()
            n += 1
        return n

    out = {}
    for name, fn in (("fastwarc (our reader)", ours), ("fastwarc alone", fastwarc_alone), ("warcio", warcio)):
        n, secs = best_of(fn, files, repeat)
        out[name] = n / secs
    return out


def quality(texts: dict[str, str], folder: Path) -> tuple[float, float, int]:
    """Mean word F1 and leak (eval web's measures) over the truth's documents, by WARC record id; a document
    the pipeline did not produce scores F1 0."""
    from native_align.evaluation.web import f1_leak

    rows = [json.loads(line) for line in open(folder / "truth.jsonl", encoding="utf-8")]
    docs = [t for t in rows if t["outcome"] == "document" and t["record_type"] == "response"]
    scores = [f1_leak(texts.get(t["record_id"]), t["text"], t["title"], t["boilerplate"]) for t in docs]
    n = max(1, len(scores))
    return sum(f for f, _ in scores) / n, sum(le for _, le in scores) / n, len(scores)


def run_ours(paths: list[Path], extractor: str) -> dict:
    from native_align.ingest.web.config import WebConfig
    from native_align.ingest.web.process import process_warc_stream

    cfg = WebConfig(extractor=extractor)
    with open(paths[0], "rb") as fh:  # warm-up: imports, detector, extractor
        list(process_warc_stream(fh, paths[0].name, cfg))
    wall, cpu, texts = time.perf_counter(), cpu_seconds(), {}
    for path in paths:
        with open(path, "rb") as fh:
            texts.update((o.record_id, o.text) for o in process_warc_stream(fh, path.name, cfg)
                         if o.outcome == "document")
    return {"docs": len(texts), "wall": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu, "texts": texts}


def run_peer(folder: Path) -> dict | None:
    if not PEER_PYTHON.exists():
        print(f"datatrove peer: {PEER_PYTHON} missing; run `bash benchmarks/setup_peers.sh datatrove`")
        return None
    with tempfile.TemporaryDirectory(prefix="bench-web-peer-") as tmp:
        texts_file = Path(tmp) / "texts.json"
        proc = subprocess.run([str(PEER_PYTHON), __file__, "--peer", str(folder), "--peer-texts", str(texts_file)],
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""})
        if proc.returncode != 0:
            print("datatrove peer failed:\n" + proc.stderr[-3000:])
            return None
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        out["texts"] = json.loads(texts_file.read_text(encoding="utf-8"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300, help="pages to generate")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--data", type=Path, help="existing folder of .warc.gz files instead of generating")
    ap.add_argument("--repeat", type=int, default=3, help="parser runs (best is kept)")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the generated WARCs")
    ap.add_argument("--peer", help=argparse.SUPPRESS)  # internal: run datatrove on this folder, print JSON
    ap.add_argument("--peer-texts", help=argparse.SUPPRESS)  # internal: where the peer writes its texts
    args = ap.parse_args(argv)
    if args.peer:
        print(json.dumps(run_datatrove(args.peer, args.peer_texts)))
        return 0
    folder, origin = (args.data, f"given folder {args.data}") if args.data else generate(args.n, args.seed)
    try:
        return bench(folder, origin, args)
    finally:
        if not args.data and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def bench(folder: Path, origin: str, args) -> int:
    paths = sorted(p for p in folder.glob("*.warc.gz") if ".wet." not in p.name)
    files = [p.read_bytes() for p in paths]
    print(f"bench web: {origin}: {len(paths)} WARC files, {sum(map(len, files)) / 1e6:.1f} MB in {folder}")
    print("\n== parsers (records/s, every payload read, best of %d)" % args.repeat)
    for name, rate in parser_rates(files, args.repeat).items():
        print(f"  {name:<24}{rate:>12,.0f}")
    print("\n== ingest + extraction (one process; docs per CPU-second = per core)")
    rows = {f"ours ({x})": run_ours(paths, x) for x in ("resiliparse", "trafilatura")}
    peer = None if args.no_peer else run_peer(folder)
    if peer:
        rows["datatrove WarcReader+Trafilatura"] = peer
        if peer["errors"]:
            print(f"  datatrove: {len(peer['errors'])} file(s) stopped by an exception, their later records lost: "
                  + ", ".join(peer["errors"]))
    print(f"  {'pipeline':<36}{'docs':>6}{'docs/s/core':>13}{'docs/s wall':>13}{'F1':>8}{'leak':>8}")
    for name, r in rows.items():
        f1, leak, _ = quality(r["texts"], folder) if (folder / "truth.jsonl").exists() else (float("nan"),) * 3
        print(f"  {name:<36}{r['docs']:>6}{r['docs'] / r['cpu']:>13.1f}{r['docs'] / r['wall']:>13.1f}"
              f"{f1:>8.4f}{leak:>8.2%}")
    if peer:
        base = peer["docs"] / peer["cpu"]
        for name, note in (("ours (resiliparse)", " (the default; goal >= 3x)"), ("ours (trafilatura)", "")):
            r = rows[name]
            print(f"  ratio {name} / datatrove: {r['docs'] / r['cpu'] / base:.1f}x per core{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
