"""`native-align` on a tmp config: a stage runs and prints the reconciliation; bad settings exit 2 naming the key.

jobs/*.py are the same commands (`run_job`), so one job run as a script checks the wiring.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from native_align.cli import main, train_worker_job
from tests.ingest.conftest import rec

REPO = Path(__file__).resolve().parent.parent


def test_ingest_command_on_a_tmp_config(spark, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text("\n".join([rec(0), rec(1), "{broken"]) + "\n", encoding="utf-8")
    config = tmp_path / "run.yaml"
    config.write_text(
        f"tables:\n  root: {tmp_path / 'tables'}\n  staging_root: {tmp_path / 'staging'}\n"
        f"ingest:\n  sources:\n    - name: tiny\n      path: {corpus}\n      id_field: id\n", encoding="utf-8")

    assert main(["ingest", "--config", str(config), "--set", "ingest.excerpt_chars=20"]) == 0
    out = capsys.readouterr().out
    assert "reconciliation" in out and "quarantined" in out
    assert "\ningest: {" in "\n" + out  # the stage's counts, as jobs/*.py print them
    from delta.tables import DeltaTable

    assert DeltaTable.forPath(spark, str(tmp_path / "tables" / "documents")).toDF().count() == 2
    quarantine = DeltaTable.forPath(spark, str(tmp_path / "tables" / "quarantine")).toDF().first()
    assert quarantine["reason"] == "invalid_json" and quarantine["raw_excerpt"] == "{broken"


def test_bad_set_exits_2_and_names_the_key(capsys):
    assert main(["ingest", "--set", "ingest.max_txt_bytes=5"]) == 2
    err = capsys.readouterr().err
    assert "ingest.max_txt_bytes" in err and "--set ingest.max_txt_bytes=5" in err


def test_console_script_reports_config_errors_without_starting_spark(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "native-align")
    proc = subprocess.run([exe, "ingest", "--set", "ingest.excerpt_chars=many"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert "ingest.excerpt_chars" in proc.stderr and "many" in proc.stderr


def test_job_script_is_the_cli_command(tmp_path):
    proc = subprocess.run([sys.executable, str(REPO / "jobs" / "dedup.py"), "--set", "dedup.threshold=7"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert "dedup.threshold" in proc.stderr


def test_train_worker_job_needs_a_step(capsys):
    assert train_worker_job([]) == 2
    assert train_worker_job(["fit"]) == 2
    assert "{export|train}" in capsys.readouterr().err
