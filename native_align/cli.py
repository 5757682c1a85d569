"""``native-align`` command line: one subcommand per stage, ``run`` for the pipeline, and the tools (eval, training).

Every command takes the same configuration options::

    native-align curate --profile local --config my.yaml --set curate.lang_threshold=0.8

Commands only parse arguments and call the library (``native_align.registry`` lists them); the library never
imports this module.
"""

from __future__ import annotations

import argparse
import logging
import sys

from native_align import registry
from native_align.config import ConfigError
from native_align.ingest.samples import SAMPLES, sample_overrides
from native_align.options import add_common_options, common_args

# jobs/train_worker.py's steps: export needs Spark, train only torch, so a GPU box without Java runs train alone.
WORKER_STEPS: dict[str, str] = {"export": "export-pairs", "train": "train-worker"}
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="native-align", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run every stage in order (default: on the bundled sample corpus)")
    run.add_argument("--stages", default=None, help="comma-separated subset, e.g. ingest,curate")
    run.add_argument("--sample", choices=sorted(SAMPLES), default=None,
                     help="run on a packaged sample: news (what conf/local.yaml ingests) or web (a WARC + WET pair; "
                          "tables under work/web/); see native_align/ingest/samples.py")
    add_common_options(run)
    for stage in registry.PIPELINE:
        add_common_options(sub.add_parser(stage.name, help=stage.help,
                                          description=f"native-align {stage.name}: {stage.help}"))
    for tool in registry.TOOLS:
        parsed = sub.add_parser(tool.name, help=tool.help, add_help=False)
        parsed.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def _run_tool(name: str, argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        return int(registry.tool(name).main(argv) or 0)
    except ConfigError as exc:
        print(f"native-align: {exc}", file=sys.stderr)
        return 2


def _stages_of(ns: argparse.Namespace) -> list[str] | None:
    """The stages a command runs: one for a stage command, `--stages` (default: all) for `run`."""
    if ns.command != "run":
        return [ns.command]
    return [s.strip() for s in ns.stages.split(",") if s.strip()] if ns.stages else None


def main(argv: list[str] | None = None) -> int:
    """Run one command; every stage command prints its counts and the checked reconciliation, like `run`."""
    argv = list(sys.argv[1:] if argv is None else argv) or ["run"]
    if argv[0] in {t.name for t in registry.TOOLS}:
        return _run_tool(argv[0], argv[1:])
    ns = build_parser().parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(ns.log_level).upper(), logging.INFO), format=LOG_FORMAT)
    for noisy in ("py4j", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stages = _stages_of(ns)
    try:
        for name in stages or ():
            registry.stage(name)
    except KeyError as exc:
        print(f"native-align: {exc.args[0]}", file=sys.stderr)
        return 2
    args = common_args(ns)
    if getattr(ns, "sample", None):
        args.overrides = sample_overrides(ns.sample) + args.overrides  # the user's --set still wins
    try:
        ctx = args.context()
    except ConfigError as exc:
        print(f"native-align: {exc}", file=sys.stderr)
        return 2
    from native_align.pipeline import run_pipeline
    from native_align.runs import ReconciliationError

    try:
        run_pipeline(ctx, stages)
    except ReconciliationError as exc:
        print(f"native-align: reconciliation failed: {exc}", file=sys.stderr)
        return 1
    return 0


def run_job(command: str, argv: list[str] | None = None) -> int:
    """What every jobs/*.py runs under spark-submit: ``native-align <command>`` with the job's own arguments."""
    return main([command, *(sys.argv[1:] if argv is None else argv)])


def train_worker_job(argv: list[str] | None = None) -> int:
    """jobs/train_worker.py: ``export`` (export-pairs) or ``train`` (train-worker), each with its own options."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in WORKER_STEPS:
        print("usage: train_worker.py {export|train} [options]   (each has --help)", file=sys.stderr)
        return 2
    return run_job(WORKER_STEPS[argv[0]], argv[1:])


if __name__ == "__main__":
    sys.exit(main())
