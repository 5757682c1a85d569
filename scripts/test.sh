#!/usr/bin/env bash
# The test suite: real Spark local mode + Delta, local Ray, real fastText, tiny local transformers.
# Real-model tests (marked slow: Gemma 3 270M on CPU) are left out; `bash scripts/test.sh -m slow` runs them
# (a later -m wins). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export SPARK_LOCAL_IP=127.0.0.1 RAY_AUTH_MODE=disabled HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
exec .venv/bin/python -m pytest -q --timeout=1200 -m "not slow" --durations=25 "$@"
