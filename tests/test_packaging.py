"""Installing the wheel keeps a runtime's own Spark: a fresh venv with pyspark 4.1 (as on Databricks Runtime 18)
gets `pip install native-align` with its dependencies, then the `spark` extra, and still has its pyspark 4.1.

Slow (downloads from PyPI: pyspark alone is ~450 MB): `bash scripts/test.sh -m slow tests/test_packaging.py`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]


def _run(*cmd: str | Path, cwd: Path | None = None) -> str:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, timeout=3000)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _version(python: Path, dist: str) -> str:
    return _run(python, "-c", f"import importlib.metadata as m; print(m.version({dist!r}))").strip()


def test_wheel_install_keeps_an_existing_pyspark(tmp_path):
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", tmp_path / "dist", REPO)
    wheel = next((tmp_path / "dist").glob("native_align-*.whl"))
    _run(sys.executable, "-m", "venv", tmp_path / "venv")
    python = tmp_path / "venv" / "bin" / "python"
    _run(python, "-m", "pip", "install", "-q", "pyspark>=4.1,<4.2")  # the runtime's Spark
    runtime = _version(python, "pyspark")
    assert runtime.startswith("4.1.")

    _run(python, "-m", "pip", "install", "-q", wheel)  # with its dependencies
    assert _version(python, "pyspark") == runtime
    assert _version(python, "native-align") == "0.1.0"
    _run(python, "-c", "import native_align.settings, native_align.storage")  # imports without Spark extras

    _run(python, "-m", "pip", "install", "-q", f"{wheel}[spark]")  # ranges: Delta for this Spark, Spark kept
    assert _version(python, "pyspark") == runtime
    assert _version(python, "delta-spark").startswith("4.")
    _run(python, "-m", "pip", "check")
