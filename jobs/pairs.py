"""spark-submit entry point for the noise-pairs stage (`native-align pairs`): curated chunks and a seeded noise model
into `noise_pairs`, training pairs that need no expert.

    spark-submit --packages io.delta:delta-spark_4.2_2.13:4.4.0 jobs/pairs.py --profile cluster

Only parses arguments and calls the library (the same code as `native-align pairs`).
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
    sys.exit(run_job("pairs"))
