"""jobs/run.py (ingest, then export) under spark-submit against a real standalone cluster (one master, one worker,
on 127.0.0.1).

The job must use the master spark-submit gave it (get_spark never rebuilds the session), write real Delta rows, and
the export's shards must be written by the worker's executor, not by the driver.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ingest.conftest import rec

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(path: Path, needle: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and needle in path.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise AssertionError(f"'{needle}' not seen in {path}:\n{path.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a daemon we started (its own process group), waiting for it to go."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def standalone_cluster(tmp_path):
    import pyspark

    spark_home = Path(pyspark.__file__).resolve().parent
    env = {**os.environ, "SPARK_HOME": str(spark_home), "SPARK_LOCAL_IP": "127.0.0.1",
           "PYSPARK_PYTHON": sys.executable, "SPARK_LOG_DIR": str(tmp_path / "logs"),
           "SPARK_WORKER_DIR": str(tmp_path / "worker")}
    port = _free_port()
    procs = []
    try:
        master_log = tmp_path / "master.log"
        procs.append(subprocess.Popen(
            [str(spark_home / "bin" / "spark-class"), "org.apache.spark.deploy.master.Master",
             "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(_free_port())],
            stdout=master_log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True))
        _wait_for(master_log, "I have been elected leader", procs[0], 120)
        url = f"spark://127.0.0.1:{port}"
        worker_log = tmp_path / "worker.log"
        procs.append(subprocess.Popen(
            [str(spark_home / "bin" / "spark-class"), "org.apache.spark.deploy.worker.Worker", url,
             "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", str(_free_port()),
             "--work-dir", str(tmp_path / "worker")],
            stdout=worker_log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True))
        _wait_for(worker_log, "Successfully registered with master", procs[1], 120)
        yield url, env, spark_home
    finally:
        for proc in reversed(procs):
            _stop(proc)


def _curated(spark, tables_root: Path, n: int) -> list[str]:
    """A small `curated` table written by this test's local session (export reads it under spark-submit)."""
    from native_align.context import Context
    from native_align.settings import build_settings
    from tests.support.tables import CURATED_SCHEMA

    ctx = Context.create(build_settings({"tables": {"root": str(tables_root)}}), spark=spark)
    rows = [(f"c{i:02d}", "news", f"https://x/{i}", f"t{i}", "2015-07-21", "نص الخبر رقم " + " كلمة" * (10 + i),
             f"h{i}", 20, "ar") for i in range(n)]
    ctx.tables.overwrite("curated", spark.createDataFrame(rows, CURATED_SCHEMA))
    return [r[0] for r in rows]


def test_ingest_and_export_under_spark_submit(standalone_cluster, tmp_path, spark):
    url, env, spark_home = standalone_cluster
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text("\n".join([rec(i) for i in range(4)] + ["not json"]) + "\n",
                                    encoding="utf-8")
    curated_ids = _curated(spark, tmp_path / "tables", 12)
    export_dir = tmp_path / "export"
    config = tmp_path / "submit.yaml"
    config.write_text(
        f"tables:\n  root: {tmp_path / 'tables'}\n  staging_root: {tmp_path / 'staging'}\n"
        f"ingest:\n  sources:\n    - name: submitted\n      path: {corpus}\n      id_field: id\n"
        f"export:\n  output_dir: {export_dir.as_uri()}\n  mix: original\n  partitions: 2\n  shard_bytes: 1024\n",
        encoding="utf-8")
    cmd = [str(spark_home / "bin" / "spark-submit"), "--master", url,
           "--packages", "io.delta:delta-spark_4.2_2.13:4.4.0",
           "--conf", f"spark.jars.ivySettings={REPO / 'native_align' / 'resources' / 'ivysettings.xml'}",
           "--conf", f"spark.pyspark.python={sys.executable}",
           "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=1",
           "--conf", "spark.sql.shuffle.partitions=2", "--driver-memory", "1g",
           # tiny tables on a one-core worker: Delta's 50 log-replay partitions would be 50 tasks per read
           "--conf", "spark.databricks.delta.snapshotPartitions=2",
           str(REPO / "jobs" / "run.py"), "--profile", "local", "--config", str(config),
           "--stages", "ingest,export"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=420)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "reconciliation" in proc.stdout
    # The job ran on the standalone master, not on a local session it built itself. spark-submit's PythonRunner
    # merges the Python driver's stderr (our log lines) into its stdout.
    assert f"Spark master {url}" in proc.stdout + proc.stderr

    from delta.tables import DeltaTable

    docs = DeltaTable.forPath(spark, str(tmp_path / "tables" / "documents")).toDF()
    assert sorted(r["source_record_id"] for r in docs.collect()) == ["d0", "d1", "d2", "d3"]
    quarantine = DeltaTable.forPath(spark, str(tmp_path / "tables" / "quarantine")).toDF().collect()
    assert [(q["reason"], q["position"]) for q in quarantine] == [("invalid_json", 4)]

    # export: every curated document once, in shards of both partitions, written by the executor's Python worker
    from native_align.export.stage import read_shards

    manifest = json.loads((export_dir / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(r["doc_id"] for r in read_shards(export_dir.as_uri())) == curated_ids
    assert {s["partition"] for s in manifest["shards"]} == {0, 1} and manifest["documents"] == len(curated_ids)
    driver_pid = manifest["driver"].rsplit(":", 1)[1]
    writer_pids = {s["writer"].rsplit(":", 1)[1] for s in manifest["shards"]}
    assert driver_pid not in writer_pids and str(os.getpid()) not in writer_pids
    # the writers' own log lines are in the executor's log inside the worker's folder (not in the driver's output)
    executor_logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "worker").glob("app-*/*/stderr"))
    for pid in writer_pids:
        assert f"({manifest['shards'][0]['writer'].rsplit(':', 1)[0]}:{pid})" in executor_logs
        assert f":{pid})" not in proc.stdout + proc.stderr


@pytest.mark.slow  # 40 s; WARC ingest itself is tested in local mode (tests/ingest/web), jobs under spark-submit above
def test_warc_ingest_job_under_spark_submit(standalone_cluster, tmp_path, spark):
    """The packaged sample WARC through jobs/ingest.py on the standalone cluster: the worker's task opens the file as
    a stream, the blocklist reaches it as a broadcast, and every record is accounted for."""
    url, env, spark_home = standalone_cluster
    config = tmp_path / "warc.yaml"
    config.write_text(
        f"tables:\n  root: {tmp_path / 'tables'}\n  staging_root: {tmp_path / 'staging'}\n"
        "ingest:\n  sources:\n    - name: crawl\n      path: package://web_sample/sample-00000.warc.gz\n"
        "  web:\n    url_filter:\n      blocklist_file: package://web_sample/url_blocklist.txt\n", encoding="utf-8")
    cmd = [str(spark_home / "bin" / "spark-submit"), "--master", url,
           "--packages", "io.delta:delta-spark_4.2_2.13:4.4.0",
           "--conf", f"spark.jars.ivySettings={REPO / 'native_align' / 'resources' / 'ivysettings.xml'}",
           "--conf", f"spark.pyspark.python={sys.executable}",
           "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=1",
           "--conf", "spark.sql.shuffle.partitions=2", "--driver-memory", "1g",
           "--conf", "spark.databricks.delta.snapshotPartitions=2",
           str(REPO / "jobs" / "ingest.py"), "--profile", "local", "--config", str(config)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=420)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert f"Spark master {url}" in log
    assert "31 WARC/WET records = 14 documents + 3 quarantined + 11 skipped by type" in log and "-> OK" in log

    from delta.tables import DeltaTable

    docs = DeltaTable.forPath(spark, str(tmp_path / "tables" / "documents")).toDF()
    assert docs.count() == 14 and docs.where("metadata['http_status'] = '200'").count() == 14
    quarantine = DeltaTable.forPath(spark, str(tmp_path / "tables" / "quarantine")).toDF().collect()
    assert sorted(q["reason"] for q in quarantine) == ["no_main_text", "truncated_record", "undecodable"]


@pytest.mark.slow  # 35 s (a spark-submit of its own); apply_settings on a running session: tests/test_spark.py
def test_spark_settings_from_config_reach_a_submitted_job(tmp_path, spark):
    """spark.shuffle_partitions from the config is in the submitted job's Spark conf (the event log's SQL executions
    ran with it), over the launcher's --conf; driver memory, fixed at launch, is named in a warning instead."""
    import pyspark

    spark_home = Path(pyspark.__file__).resolve().parent
    corpus, events = tmp_path / "corpus", tmp_path / "events"
    corpus.mkdir()
    events.mkdir()
    (corpus / "a.jsonl").write_text("\n".join(rec(i) for i in range(3)) + "\n", encoding="utf-8")
    config = tmp_path / "conf.yaml"
    config.write_text(
        f"spark:\n  shuffle_partitions: 7\n  driver_memory: 3g\n"
        f"tables:\n  root: {(tmp_path / 'tables').as_uri()}\n  staging_root: {(tmp_path / 'staging').as_uri()}\n"
        f"ingest:\n  sources:\n    - name: submitted\n      path: {corpus}\n      id_field: id\n", encoding="utf-8")
    cmd = [str(spark_home / "bin" / "spark-submit"), "--master", "local[1]",
           "--packages", "io.delta:delta-spark_4.2_2.13:4.4.0",
           "--conf", f"spark.jars.ivySettings={REPO / 'native_align' / 'resources' / 'ivysettings.xml'}",
           "--conf", f"spark.pyspark.python={sys.executable}", "--driver-memory", "1g",
           "--conf", "spark.sql.shuffle.partitions=2", "--conf", "spark.databricks.delta.snapshotPartitions=2",
           "--conf", "spark.eventLog.enabled=true", "--conf", "spark.eventLog.compress=false",
           "--conf", f"spark.eventLog.dir={events.as_uri()}",
           str(REPO / "jobs" / "ingest.py"), "--profile", "local", "--config", str(config)]
    env = {**os.environ, "SPARK_HOME": str(spark_home), "SPARK_LOCAL_IP": "127.0.0.1",
           "PYSPARK_PYTHON": sys.executable}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=420)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert "spark.sql.shuffle.partitions=7 (was 2)" in log
    assert "spark.driver.memory=3g from the config not applied (the session has 1g)" in log

    starts = [json.loads(line) for path in events.rglob("*") if path.is_file()  # Spark 4: a folder of rolled files
              for line in path.read_text().splitlines() if "SparkListenerSQLExecutionStart" in line]
    used = {e.get("modifiedConfigs", {}).get("spark.sql.shuffle.partitions") for e in starts}
    assert starts and used == {"7"}, used  # every query of the job, none with the launcher's 2
    from delta.tables import DeltaTable

    assert DeltaTable.forPath(spark, (tmp_path / "tables" / "documents").as_uri()).toDF().count() == 3
