"""spark-submit entry point of the report stage: parse arguments, call the library.

    spark-submit jobs/report.py --profile cluster --set report.output_dir=s3a://.../report
"""

from __future__ import annotations

import argparse
import logging
import sys

from native_align.cli import add_common_options, common_args
from native_align.pipeline import run_stage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="native-align report: statistics, evaluation, HTML report")
    add_common_options(parser)
    ns = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(ns.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx = common_args(ns).context()
    counts = run_stage(ctx, "report")
    print(f"report: {counts} -> {ctx.settings.report.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
