"""spark-submit entry point for expert annotation (`native-align annotate`).

    spark-submit --packages io.delta:delta-spark_4.2_2.13:4.4.0 \\
        jobs/annotate.py --profile cluster --set expert.base_url=https://api.example.com/v1 --set expert.budget_usd=50

Only parses arguments and calls the library (the same code as `native-align annotate`).
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import native_align  # noqa: F401  (installed package, or shipped with --py-files)
except ImportError:  # a source checkout without `pip install`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from native_align.cli import run_job

if __name__ == "__main__":
    sys.exit(run_job("annotate"))
