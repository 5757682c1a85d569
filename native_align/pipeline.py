"""Running stages: one stage with its bookkeeping, or the pipeline in order followed by the reconciliation.

A runner reads its input tables, calls the stage's ``DataFrame -> DataFrame`` functions, writes its output tables,
and returns its counts; this module times it, records the counts in the `runs` table and prints them, so every
command, job and notebook prints the same lines.
"""

from __future__ import annotations

import logging
import time

from native_align import registry
from native_align.context import Context
from native_align.runs import reconcile, record_stage

log = logging.getLogger("native_align")


def run_stage(ctx: Context, name: str) -> dict[str, int]:
    """Run one registered stage and record its counts in `runs`."""
    stage = registry.stage(name)
    t0 = time.perf_counter()
    log.info("stage %s: starting (run %s)", name, ctx.run_id)
    counts = stage.run(ctx) or {}
    seconds = time.perf_counter() - t0
    record_stage(ctx, name, counts, seconds)
    log.info("stage %s: done in %.1fs %s", name, seconds, counts)
    return counts


def counts_line(ctx: Context, name: str, counts: dict) -> str:
    """A stage's counts, plus the folder it wrote when its output is files rather than tables (report, export)."""
    out = getattr(getattr(ctx.settings, name, None), "output_dir", None)
    return f"{name}: {counts}" + (f" -> {out}" if out else "")


def run_pipeline(ctx: Context, stages: list[str] | None = None) -> dict[str, dict]:
    """Run ``stages`` (default: every stage) in order, printing each one's counts, then print and check the
    reconciliation: the same output whether one stage or the whole pipeline ran."""
    names = stages or registry.stage_names()
    for name in names:
        registry.stage(name)  # an unknown name fails before anything runs
    results = {}
    for name in names:
        results[name] = run_stage(ctx, name)
        print(counts_line(ctx, name, results[name]))
    recon = reconcile(ctx)
    print(recon.render())
    recon.check()
    return results
