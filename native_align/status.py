"""``native-align status``: per stage, what is done and what is pending, the locks held, and the reconciliation.

Everything is counted from the tables (and the export's manifest), never from the `runs` history, so the answer is
right after a crash too: a batch ingested after curate ran shows as pending for curate, not as an error.

    native-align status [--profile local] [--config my.yaml] [--set tables.root=...]
"""

from __future__ import annotations

import argparse
import json
import logging

from pyspark.sql import functions as F

from native_align import storage
from native_align.locks import held_locks
from native_align.options import add_common_options, common_args
from native_align.runs import commit_runs, reconcile

log = logging.getLogger("native_align.status")


def _n(x: int | None) -> str:
    return f"{int(x or 0):,}"


def _last_runs(t) -> dict[str, tuple[str, str]]:
    """stage -> (run id, recorded at) of its latest recorded run."""
    if not t.exists("runs"):
        return {}
    rows = t.read("runs").groupBy("stage").agg(F.max_by("run_id", "recorded_at").alias("run_id"),
                                               F.max("recorded_at").alias("at")).collect()
    return {r["stage"]: (r["run_id"], f"{r['at']:%Y-%m-%d %H:%M}") for r in rows}


def _redact(t) -> tuple[str, str]:
    if not t.exists("curated"):
        return "", ""
    commits = commit_runs(t, "curated")
    last = commits[0]["stage"] if commits else None
    if last == "redact":
        n = t.read("pii").count() if t.exists("pii") else 0
        return f"`curated` redacted ({_n(n)} documents held personal data)", ""
    if last == "dedup":
        return "", "`curated` was rebuilt by dedup since the last redact"
    return "", ""


def _covered(t, base: str, output: str, done: str, waiting: str) -> tuple[str, str]:
    """How many of ``base``'s documents ``output`` holds (done) and how many it lacks (pending), counted once."""
    if not t.exists(base):
        return "", ""
    docs = t.read(base).select("doc_id")
    total = docs.count()
    if not t.exists(output):
        return "", f"{_n(total)} {waiting}"
    n = docs.join(t.read(output).select("doc_id").distinct(), "doc_id", "left_semi").count()
    return f"{_n(n)} {done}", _pending(total - n, waiting)


def _annotate(t) -> tuple[str, str]:
    return _covered(t, "seed", "seed_pairs", "seed documents annotated", "seed documents")


def _rewrite(t) -> tuple[str, str]:
    return _covered(t, "curated", "aligned", "curated documents rewritten", "curated documents (up to rewrite.limit)")


def _export(ctx) -> tuple[str, str]:
    out = storage.absolute(ctx.settings.export.output_dir)
    path = storage.join(out, "manifest.json")
    if not storage.exists(path):
        return "", "no export yet" if ctx.tables.exists("curated") else ""
    manifest = json.loads(storage.read_text(path))
    done = f"{_n(manifest.get('documents'))} documents in {len(manifest.get('shards', []))} shards"
    version = (manifest.get("table_versions") or {}).get("curated")
    if version is not None and ctx.tables.exists("curated") and ctx.tables.version("curated") != version:
        return done, "`curated` changed since this export"
    return done, ""


def _pending(n: int, what: str) -> str:
    return f"{_n(n)} {what}" if n else ""


def stage_rows(ctx, recon) -> list[tuple[str, str, str]]:
    """(stage, done, pending) for every stage of the pipeline."""
    t = ctx.tables
    rows = [("ingest", f"{_n(recon.files)} files: {_n(recon.documents)} documents, {_n(recon.quarantined)} "
                       f"quarantined", _pending(recon.pending.get("ingest", 0), "files of an interrupted run"))]
    if recon.curated_docs is not None:
        rows.append(("curate", f"{_n(recon.curated_docs)} scored ({_n(recon.kept_by_curate)} kept, "
                               f"{_n(recon.rejected)} rejected)", _pending(recon.pending.get("curate", 0),
                                                                            "documents")))
    else:
        rows.append(("curate", "", _pending(recon.documents, "documents")))
    if recon.duplicates is not None:
        rows.append(("dedup", f"{_n(recon.kept)} curated, {_n(recon.duplicates)} duplicates removed",
                     _pending(recon.pending.get("dedup", 0), "documents curate kept")))
    else:
        rows.append(("dedup", "", _pending(recon.kept_by_curate or 0, "documents curate kept")))
    rows.append(("redact", *_redact(t)))
    rows.append(("seed", f"{_n(t.read('seed').count())} seed documents" if t.exists("seed") else "", ""))
    rows.append(("annotate", *_annotate(t)))
    rows.append(("pairs", f"{_n(t.read('noise_pairs').count())} noise pairs" if t.exists("noise_pairs") else "",
                 ""))
    rows.append(("rewrite", *_rewrite(t)))
    rows.append(("report", "", ""))
    rows.append(("export", *_export(ctx)))
    return rows


def render(ctx) -> tuple[str, bool]:
    """The status text and whether the reconciliation passes."""
    recon = reconcile(ctx)
    last = _last_runs(ctx.tables)
    rows = [(s, d or "-", p or "-", " ".join(last.get(s, ("-",))[::-1])) for s, d, p in stage_rows(ctx, recon)]
    header = ("stage", "done", "pending", "last recorded run")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    locks = held_locks(ctx.tables)
    lines.append("")
    if not locks:
        lines.append("locks: none held")
    for info, stale in locks:
        state = f"stale: {stale}" if stale else "live"
        lines.append(f"lock: `{info.table}` held by {info.stage} run {info.run_id} (pid {info.pid} on {info.host}) "
                     f"since {info.since()} [{state}]")
    lines += ["", recon.render()]
    return "\n".join(lines), recon.ok


def main(argv: list[str]) -> int:
    """Print the status; exit 1 when the reconciliation fails (0 with pending work: pending is not an error)."""
    parser = argparse.ArgumentParser(prog="native-align status", description=__doc__.split("\n")[0])
    add_common_options(parser)
    ns = parser.parse_args(argv)
    logging.getLogger().setLevel(getattr(logging, str(ns.log_level).upper(), logging.WARNING))
    from native_align.context import Context

    ctx = Context.create(common_args(ns).settings())
    text, ok = render(ctx)
    print(text, flush=True)
    return 0 if ok else 1
