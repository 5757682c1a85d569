"""The stages in order, each a runner ``run(ctx) -> dict[str, int]`` of counts, and the whole pipeline.

A runner reads its input tables, calls the stage's ``DataFrame -> DataFrame`` functions, writes its output
tables, and returns the counts that go into the `runs` table and the reconciliation.
"""

from __future__ import annotations

import importlib
import logging
import time
from typing import Callable

from native_align.context import Context

log = logging.getLogger("native_align")

# name -> "module:function". Order is the pipeline's order.
STAGES: dict[str, str] = {
    "ingest": "native_align.ingest.stage:run",
    "curate": "native_align.curate.stage:run",
    "dedup": "native_align.dedup.stage:run",
    "seed": "native_align.seed.stage:run",
    "annotate": "native_align.seed.annotate:run",
    "rewrite": "native_align.rewrite.stage:run",
    "report": "native_align.report.stage:run",
    "export": "native_align.report.export:run",
}


def stage_runner(name: str) -> Callable[[Context], dict]:
    if name not in STAGES:
        raise KeyError(f"unknown stage '{name}'; stages: {', '.join(STAGES)}")
    module, func = STAGES[name].split(":")
    return getattr(importlib.import_module(module), func)


def available_stages() -> list[str]:
    """Stages whose module is present (lets `run` work while later stages are still being built)."""
    out = []
    for name, target in STAGES.items():
        module = target.split(":")[0]
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("native_align"):
                continue
            raise
        out.append(name)
    return out


def run_stage(ctx: Context, name: str) -> dict:
    from native_align.runs import record_stage

    t0 = time.perf_counter()
    log.info("stage %s: starting (run %s)", name, ctx.run_id)
    counts = stage_runner(name)(ctx) or {}
    seconds = time.perf_counter() - t0
    record_stage(ctx, name, counts, seconds)
    log.info("stage %s: done in %.1fs %s", name, seconds, counts)
    return counts


def counts_line(ctx: Context, name: str, counts: dict) -> str:
    """A stage's counts, plus the folder it wrote when its output is files rather than tables (report, export)."""
    out = getattr(getattr(ctx.settings, name, None), "output_dir", None)
    return f"{name}: {counts}" + (f" -> {out}" if out else "")


def run_pipeline(ctx: Context, stages: list[str] | None = None) -> dict[str, dict]:
    """Run ``stages`` (default: every available one) in order, printing each one's counts, then print and check
    the reconciliation: the same output whether one stage or the whole pipeline ran."""
    from native_align.runs import reconcile

    results = {}
    for name in stages or available_stages():
        results[name] = run_stage(ctx, name)
        print(counts_line(ctx, name, results[name]))
    recon = reconcile(ctx)
    print(recon.render())
    recon.check()
    return results
