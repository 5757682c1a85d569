"""spark-submit entry point of the rewrite stage: parse arguments, call the library.

    spark-submit --packages io.delta:delta-spark_4.2_2.13:4.4.0 jobs/rewrite.py --profile cluster \\
        --set rewrite.transformers.model=/models/worker --set rewrite.ray.actors=8 \\
        --set rewrite.ray.address=auto

Spark computes the work set and MERGEs the results; the rewriting runs on the Ray cluster named by
``rewrite.ray.address`` (or RAY_ADDRESS), else on a local Ray. Reruns only do what is missing.
The same code as `native-align rewrite`.
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
    sys.exit(run_job("rewrite"))
