#!/usr/bin/env bash
# One-time set-up on a fresh machine: a virtualenv in .venv with native-align and everything it runs with.
# Needs Python >= 3.10 and Java 17 (Spark 4). Safe to re-run: pip skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
# local: the pyspark + delta-spark + Ray versions the tests run (pyproject.toml); leave it out where a runtime
# (Databricks, a cluster image) already provides Spark.
EXTRAS=${NATIVE_ALIGN_EXTRAS:-local,ml,gemma,web,test}

if ! command -v java >/dev/null 2>&1; then
  echo "native-align needs Java 17 for Spark (e.g. apt-get install -y openjdk-17-jre-headless)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip wheel
python -m pip install -q -e ".[${EXTRAS}]"
echo "native-align installed in $(pwd)/.venv (extras: ${EXTRAS})"
