"""Running stages: one stage with its bookkeeping, or the pipeline in order followed by the reconciliation.

A runner reads its input tables, calls the stage's ``DataFrame -> DataFrame`` functions, writes its output tables,
and returns its counts (computed from the rows it committed); this module wraps it:

1. locks every table the stage writes (:mod:`native_align.locks`; another live run of it -> ``LockHeld``);
2. records the runs of this stage that died after committing rows (:func:`native_align.runs.recover`);
3. tags every Delta commit the stage makes with ``{"run_id", "stage"}`` (Delta's ``userMetadata``), so a table's
   history says which run wrote each version and the reconciliation can tell an interrupted run;
4. turns Delta's commit conflicts into the same ``RunConflict`` a held lock raises;
5. records the counts in `runs` and prints them, so every command, job and notebook prints the same lines.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from typing import Iterator

from native_align import faults, locks, registry
from native_align.context import Context, new_run_id
from native_align.runs import reconcile, record_stage, recover

log = logging.getLogger("native_align")

USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata"


class StageFailed(RuntimeError):
    """A stage raised: carries the stage's name and run id; the original exception is ``__cause__``."""

    def __init__(self, stage: str, run_id: str, cause: BaseException):
        self.stage, self.run_id, self.cause = stage, run_id, cause
        super().__init__(f"{stage} failed (run {run_id}): {cause}")


@contextmanager
def tagged_commits(ctx: Context, stage: str) -> Iterator[None]:
    """Every Delta commit in this block carries the run id and the stage in its ``userMetadata``."""
    conf = ctx.spark.conf
    before = conf.get(USER_METADATA, None)
    conf.set(USER_METADATA, json.dumps({"run_id": ctx.run_id, "stage": stage}, sort_keys=True))
    try:
        yield
    finally:
        if before is None:
            conf.unset(USER_METADATA)
        else:
            conf.set(USER_METADATA, before)


def run_stage(ctx: Context, name: str, force: bool = False) -> dict[str, int]:
    """Run one registered stage with its lock, its recovery and its bookkeeping; its counts."""
    stage = registry.stage(name)
    seen = ctx.__dict__.setdefault("_stages_run", set())
    if name in seen:  # a stage run twice on one context (a notebook cell run again): each run its own id, since
        ctx.run_id = new_run_id()  # counts are read back from the rows a run committed, by run id
    seen.add(name)
    with locks.hold(ctx.tables, name, stage.writes, ctx.run_id, force=force):
        with tagged_commits(ctx, name):
            recovered = recover(ctx, name, stage.writes)
            if recovered:
                log.info("stage %s: recorded %d interrupted run(s) from their committed rows: %s", name,
                         len(recovered), ", ".join(recovered))
            t0 = time.perf_counter()
            log.info("stage %s: starting (run %s)", name, ctx.run_id)
            try:
                counts = stage.run(ctx) or {}
            except Exception as exc:
                conflict = locks.conflict(exc, name, stage.writes, ctx.spark)
                if conflict is not None:
                    raise conflict from exc
                raise
            seconds = time.perf_counter() - t0
            faults.checkpoint(f"{name}:before_bookkeeping")
            record_stage(ctx, name, counts, seconds)
    log.info("stage %s: done in %.1fs %s", name, seconds, counts)
    return counts


def counts_line(ctx: Context, name: str, counts: dict) -> str:
    """A stage's counts, plus the folder it wrote when its output is files rather than tables (report, export)."""
    out = getattr(getattr(ctx.settings, name, None), "output_dir", None)
    return f"{name}: {counts}" + (f" -> {out}" if out else "")


def run_pipeline(ctx: Context, stages: list[str] | None = None, force: bool = False) -> dict[str, dict]:
    """Run ``stages`` (default: every stage) in order, printing each one's counts, then print and check the
    reconciliation: the same output whether one stage or the whole pipeline ran.

    A stage that raises stops the pipeline as ``StageFailed`` (lock conflicts as ``RunConflict``)."""
    names = stages or registry.stage_names()
    for name in names:
        registry.stage(name)  # an unknown name fails before anything runs
    results = {}
    for name in names:
        try:
            results[name] = run_stage(ctx, name, force=force)
        except locks.RunConflict:
            raise
        except Exception as exc:
            raise StageFailed(name, ctx.run_id, exc) from exc
        print(counts_line(ctx, name, results[name]), flush=True)
    recon = reconcile(ctx)
    print(recon.render(), flush=True)
    recon.check()
    return results
