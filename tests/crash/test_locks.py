"""One writer per table: a held lock refuses a second run with one sentence and exit code 3; a dead holder's lock
is taken over; Delta's own commit conflicts are phrased the same way."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from native_align import locks
from native_align.locks import HadoopFiles, LocalFiles, LockHeld, LockInfo, TableLock
from native_align.pipeline import run_stage
from tests.crash.conftest import cli, context, table_rows

pytestmark = pytest.mark.timeout(3600)


def _lock(folder, table="signals", stage="curate", run_id="run-a", files=None):
    return TableLock(None, table, stage, run_id, files=files or LocalFiles(), folder=str(folder))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_held_lock_names_its_holder_and_a_dead_ones_is_taken_over(tmp_path):
    first = _lock(tmp_path)
    first.acquire()
    with pytest.raises(LockHeld) as held:
        _lock(tmp_path, run_id="run-b").acquire()
    msg = str(held.value)
    assert msg.startswith("another curate run is writing `signals` since ") and "run id run-a" in msg
    assert "wait for it to finish, or pass --force" in msg and f"pid {os.getpid()}" in msg
    second = _lock(tmp_path, run_id="run-b")
    second.acquire(force=True)  # --force takes it
    first.release()  # not its lock any more: the new holder's file stays
    assert json.loads((tmp_path / "signals.lock").read_text())["run_id"] == "run-b"
    second.release()
    assert not (tmp_path / "signals.lock").exists()

    # a holder whose process is gone (same host) is stale; so is one on another host without a heartbeat
    gone = LockInfo.mine("signals", "curate", "dead-run")
    gone.pid, gone.pid_started = _dead_pid(), None
    (tmp_path / "signals.lock").write_text(gone.dumps())
    third = _lock(tmp_path, run_id="run-c")
    third.acquire()
    assert json.loads((tmp_path / "signals.lock").read_text())["run_id"] == "run-c"
    third.release()

    far = LockInfo.mine("signals", "curate", "far-run")
    far.host = "another-host"
    (tmp_path / "signals.lock").write_text(far.dumps())
    with pytest.raises(LockHeld, match="far-run"):
        _lock(tmp_path, run_id="run-d").acquire()
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=locks.stale_after_s() + 60))
    far.heartbeat_at = old.isoformat(timespec="seconds")
    (tmp_path / "signals.lock").write_text(far.dumps())
    fourth = _lock(tmp_path, run_id="run-d")
    fourth.acquire()
    fourth.release()


def test_locks_through_hadoops_filesystem(spark, tmp_path):
    """The lock on a table root that is a URI goes through the JVM (here a file: URI forced through Hadoop)."""
    folder = f"file:{tmp_path}/locks"
    files = HadoopFiles(spark)
    a = TableLock(None, "documents", "ingest", "run-a", files=files, folder=folder)
    a.acquire()
    with pytest.raises(LockHeld, match="another ingest run is writing `documents`.*run id run-a"):
        TableLock(None, "documents", "ingest", "run-b", files=files, folder=folder).acquire()
    assert files.listdir(folder) == ["documents.lock"]
    a.release()
    assert files.listdir(folder) == []


@pytest.mark.slow  # 25 s (two CLI processes); the lock itself is tested in-process above and below
def test_two_concurrent_curates_one_runs_the_other_is_refused(clean_run, spark, tmp_path):
    """Curate A holds the lock (paused inside its stage, before its commit); curate B exits 3 with the sentence and
    writes nothing; A then finishes, and `signals` is what one curate writes."""
    root = clean_run.world("curate", tmp_path / "w")
    conf = clean_run.conf(root)
    release = tmp_path / "release"
    env_a = {"NATIVE_ALIGN_PAUSE_AT": f"curate:before_commit={release}"}
    out = {}
    a = threading.Thread(target=lambda: out.setdefault("a", cli(root, conf, "curate", env=env_a)))
    a.start()
    lock = root / "tables" / "_locks" / "signals.lock"
    while not lock.exists() and a.is_alive():
        time.sleep(0.5)
    holder = json.loads(lock.read_text())

    b = cli(root, conf, "curate")
    assert b.returncode == 3, b.stdout + b.stderr
    line = f"native-align: another curate run is writing `signals` since "
    assert line in b.stderr and f"run id {holder['run_id']}" in b.stderr and "Traceback" not in b.stderr
    assert "pass --force" in b.stderr

    release.touch()
    a.join()
    assert out["a"].returncode == 0, out["a"].stdout[-3000:] + out["a"].stderr[-3000:]
    ctx = context(spark, conf)
    clean = context(spark, clean_run.conf(clean_run.snapshot("curate")))
    assert table_rows(ctx.tables, "signals") == table_rows(clean.tables, "signals")
    assert {r["run_id"] for r in ctx.tables.read("signals").select("run_id").distinct().collect()} == \
        {holder["run_id"]}
    assert not lock.exists()


def test_a_delta_commit_conflict_is_phrased_like_a_held_lock(spark, tmp_path):
    """Two writers without a lock (say, one with --force): the MERGE whose snapshot went stale while it ran is
    refused by Delta, and the exception becomes the same kind of sentence (the other run named from its commit)."""
    from native_align.context import Context
    from native_align.pipeline import tagged_commits
    from native_align.settings import build_settings
    from pyspark.sql import functions as F

    ctx = Context.create(build_settings({"tables": {"root": str(tmp_path / "tables")}}), spark=spark)
    t = ctx.tables
    t.overwrite("signals", spark.createDataFrame([("d0", True)], "doc_id string, keep boolean"))
    started, go = tmp_path / "started", tmp_path / "go"

    @F.udf("string")
    def held(doc_id):  # runs inside the MERGE's job: after its snapshot was read, before its commit
        open(started, "a").close()
        while not os.path.exists(go):
            time.sleep(0.05)
        return doc_id

    errors = []

    def merge():
        try:
            source = spark.createDataFrame([("d1", True)], "doc_id string, keep boolean")
            t.insert_new("signals", source.withColumn("doc_id", held("doc_id")), ["doc_id"])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    worker = threading.Thread(target=merge)
    worker.start()
    while not started.exists() and worker.is_alive():
        time.sleep(0.1)
    other = Context.create(ctx.settings, spark=spark)
    with tagged_commits(other, "curate"):
        t.append("signals", spark.createDataFrame([("d2", False)], "doc_id string, keep boolean"))
    go.touch()
    worker.join()
    assert errors, "Delta accepted both commits: the test did not test anything"
    phrased = locks.conflict(errors[0], "curate", ("signals",), spark)
    assert phrased is not None, errors[0]
    text = str(phrased)
    assert text.startswith(f"another run (curate run {other.run_id}) wrote `signals` while this curate run")
    assert "(Delta Concurrent" in text and "An error occurred while calling" not in text


def test_run_stage_turns_a_held_lock_into_run_conflict_before_running(ctx):
    lock = TableLock(ctx.tables, "signals", "curate", "someone-else")
    lock.acquire()
    try:
        with pytest.raises(LockHeld, match="another curate run is writing `signals`.*someone-else"):
            run_stage(ctx, "curate")  # no `documents` table: it would fail if it started
    finally:
        lock.release()
