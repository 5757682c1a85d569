"""spark-submit entry point of the export: mix original/aligned text, shuffle, write shards and a manifest.

    spark-submit jobs/export.py --profile cluster --set export.mix=hybrid --set export.aligned_ratio=0.5
"""

from __future__ import annotations

import argparse
import logging
import sys

from native_align.cli import add_common_options, common_args
from native_align.pipeline import run_stage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="native-align export: training mix as sharded JSONL.gz / Parquet")
    add_common_options(parser)
    ns = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(ns.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx = common_args(ns).context()
    counts = run_stage(ctx, "export")
    print(f"export: {counts} -> {ctx.settings.export.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
