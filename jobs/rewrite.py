"""spark-submit entry point of the rewrite stage: parse arguments, call the library.

    spark-submit --packages io.delta:delta-spark_4.2_2.13:4.4.0 jobs/rewrite.py --profile cluster \\
        --set rewrite.transformers.model=/models/worker --set rewrite.ray.actors=8 \\
        --set rewrite.ray.address=auto

Spark computes the work set and MERGEs the results; the rewriting runs on the Ray cluster named by
``rewrite.ray.address`` (or RAY_ADDRESS), else on a local Ray. Reruns only do what is missing.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

try:
    import native_align  # noqa: F401  (installed package, or shipped with --py-files)
except ImportError:  # a source checkout without `pip install`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from native_align.cli import add_common_options, common_args
from native_align.pipeline import run_stage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="native-align rewrite: LLM alignment workers on Ray actors")
    add_common_options(parser)
    ns = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(ns.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx = common_args(ns).context()
    counts = run_stage(ctx, "rewrite")
    print(f"rewrite: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
