"""spark-submit entry point of the dedup stage: parse arguments, call the library.

    spark-submit jobs/dedup.py --profile cluster --set dedup.threshold=0.8 --set dedup.survivor=longest

Dedup is global over the corpus: each run reads every document curate kept and overwrites `duplicates` and
`curated`. As `native-align dedup`, prints the stage's counts and the reconciliation (curated + duplicates = kept
by curate).
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
    sys.exit(run_job("dedup"))
