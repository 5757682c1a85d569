"""spark-submit entry point of the dedup stage: parse arguments, call the library.

    spark-submit jobs/dedup.py --profile cluster --set dedup.threshold=0.8 --set dedup.survivor=longest

Dedup is global over the corpus: each run reads every document curate kept and overwrites `duplicates` and
`curated`. Prints the stage's counts and the reconciliation (curated + duplicates = kept by curate).
"""

from __future__ import annotations

import argparse
import logging
import sys

from native_align.cli import add_common_options, common_args
from native_align.pipeline import run_stage
from native_align.runs import reconcile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="native-align dedup: exact + MinHash LSH, survivors, boilerplate")
    add_common_options(parser)
    ns = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(ns.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx = common_args(ns).context()
    counts = run_stage(ctx, "dedup")
    print(f"dedup: {counts}")
    recon = reconcile(ctx)
    print(recon.render())
    recon.check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
