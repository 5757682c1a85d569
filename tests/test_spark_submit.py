"""jobs/ingest.py under spark-submit against a real standalone cluster (one master, one worker, on 127.0.0.1).

The job must use the master spark-submit gave it (get_spark never rebuilds the session) and write real Delta rows.
"""

from __future__ import annotations

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


def test_ingest_job_under_spark_submit(standalone_cluster, tmp_path, spark):
    url, env, spark_home = standalone_cluster
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text("\n".join([rec(i) for i in range(4)] + ["not json"]) + "\n",
                                    encoding="utf-8")
    config = tmp_path / "submit.yaml"
    config.write_text(
        f"tables:\n  root: {tmp_path / 'tables'}\n  staging_root: {tmp_path / 'staging'}\n"
        f"ingest:\n  sources:\n    - name: submitted\n      path: {corpus}\n      id_field: id\n",
        encoding="utf-8")
    cmd = [str(spark_home / "bin" / "spark-submit"), "--master", url,
           "--packages", "io.delta:delta-spark_4.2_2.13:4.4.0",
           "--conf", f"spark.jars.ivySettings={REPO / 'native_align' / 'resources' / 'ivysettings.xml'}",
           "--conf", f"spark.pyspark.python={sys.executable}",
           "--conf", "spark.executor.memory=1g", "--conf", "spark.cores.max=1",
           "--conf", "spark.sql.shuffle.partitions=2", "--driver-memory", "1g",
           # tiny tables on a one-core worker: Delta's 50 log-replay partitions would be 50 tasks per read
           "--conf", "spark.databricks.delta.snapshotPartitions=2",
           str(REPO / "jobs" / "ingest.py"), "--profile", "local", "--config", str(config)]
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
