"""spark-submit entry point of the export: mix original/aligned text, shuffle, write shards and a manifest.

    spark-submit jobs/export.py --profile cluster --set export.mix=hybrid --set export.aligned_ratio=0.5

The same code as `native-align export`: prints the counts, the output folder and the checked reconciliation.
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
    sys.exit(run_job("export"))
