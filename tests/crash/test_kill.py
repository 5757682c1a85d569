"""SIGKILL a stage at named points before, during and after its Delta commits, then rerun it: the tables end as a
clean run's, no key twice, the reconciliation passes (right after the crash too: a crash never wedges the pipeline),
no lock or staging folder of the dead run is left, and the dead run's committed rows are recorded in `runs`.

Each kill is a real process (``native-align <stage>`` with ``NATIVE_ALIGN_KILL_AT``, native_align/faults.py) in a
session of its own, so the kill takes its JVM too. Points named ``during_*`` fire inside a Spark or Ray task while
the stage's write job runs. The default run kills one point (curate inside its commit); ``-m slow`` runs every point
of every stage.
"""

from __future__ import annotations

import re
import signal

import pytest

from native_align import registry
from native_align.pipeline import run_stage
from native_align.runs import reconcile
from tests.crash.conftest import KEYS, cli, context, duplicate_keys, export_files, table_rows

KILL_POINTS: dict[str, tuple[str, ...]] = {
    "ingest": ("staged", "during_documents", "after_documents", "after_quarantine", "after_ledger",
               "before_bookkeeping"),
    "curate": ("before_commit", "during_commit", "after_commit"),
    "dedup": ("before_commit", "after_duplicates", "during_curated", "before_bookkeeping"),
    "redact": ("after_pii", "before_bookkeeping"),
    "seed": ("before_commit", "after_commit"),
    "annotate": ("before_commit", "after_chunk#2", "before_bookkeeping"),
    "rewrite": ("before_slice", "during_slice", "after_slice", "before_slice#2", "before_bookkeeping"),
    "export": ("before_write", "during_shards", "after_shards", "before_bookkeeping"),
}
# The default run kills one point: curate inside its commit (the JVM dies while a Spark task writes the table, the
# cheapest world to build); the ingest crash of the issue is also covered in-process (tests/ingest/test_stage.py).
DEFAULT = {("curate", "during_commit")}
NEEDS_LLM = {"annotate", "rewrite", "export"}  # their clean run includes the expert and the rewrite

CASES = [pytest.param(stage, point, id=f"{stage}:{point}",
                      marks=() if (stage, point) in DEFAULT else pytest.mark.slow)
         for stage, points in KILL_POINTS.items() for point in points]

pytestmark = pytest.mark.timeout(3600)


def _tables(stage: str) -> list[str]:
    return [name for name in registry.stage(stage).writes if name not in ("report", "export")]


@pytest.mark.parametrize("stage,point", CASES)
def test_a_killed_stage_rerun_ends_like_a_clean_run(stage, point, request, spark, tmp_path):
    world = request.getfixturevalue("full_clean_run" if stage in NEEDS_LLM else "clean_run")
    root = world.world(stage, tmp_path / "w")
    conf = world.conf(root)

    proc = cli(root, conf, stage, env={"NATIVE_ALIGN_KILL_AT": f"{stage}:{point}"})
    out = proc.stdout + proc.stderr
    assert proc.returncode == -signal.SIGKILL, f"not killed at {stage}:{point} (rc {proc.returncode}):\n{out[-4000:]}"
    dead = re.search(rf"stage {stage}: starting \(run (\S+)\)", out).group(1)
    ctx = context(spark, conf)
    assert (root / "tables" / "_locks" / f"{registry.stage(stage).writes[0]}.lock").exists()  # left by the dead run
    committed = any(ctx.tables.read(t).where(f"run_id = '{dead}'").count() for t in _tables(stage)
                    if ctx.tables.exists(t) and "run_id" in ctx.tables.read(t).columns)

    after_crash = reconcile(ctx)  # what the dead run left is pending at worst, never a mismatch
    assert after_crash.ok, after_crash.render()

    run_stage(ctx, stage)

    clean_root = world.snapshot(stage)
    clean = context(spark, world.conf(clean_root))
    for table in _tables(stage):
        assert table_rows(ctx.tables, table) == table_rows(clean.tables, table), f"{table} differs from a clean run"
        if table in KEYS:
            assert duplicate_keys(ctx.tables, table) == 0, table
    if stage == "export":
        assert export_files(root / "export") == export_files(clean_root / "export")
    recon = reconcile(ctx)
    assert recon.ok and not recon.pending.get("ingest"), recon.render()
    assert not any((root / "tables" / "_locks").glob("*.lock"))
    assert not list((root / "staging" / "ingest").glob("*")), "a dead run's staging folder is left"
    recorded = ctx.tables.read("runs").where(f"run_id = '{dead}' AND stage = '{stage}'").collect() \
        if ctx.tables.exists("runs") else []
    assert bool(recorded) == committed, (dead, committed, recorded)
