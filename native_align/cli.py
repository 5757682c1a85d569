"""``native-align`` command line: one subcommand per stage, ``run`` for the pipeline, and tools (eval, training).

Every command takes the same configuration options::

    native-align curate --profile local --config my.yaml --set curate.lang_threshold=0.8

Commands only parse arguments and call the library.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from dataclasses import dataclass

from native_align.config import ConfigError, Settings, load_settings
from native_align.pipeline import STAGES

# Commands with arguments of their own: "module:function" taking (argv, CommonArgs) and returning an exit code.
TOOLS: dict[str, tuple[str, str]] = {
    "eval": ("native_align.evaluation.cli:main", "evaluations: lid, dedup, toxicity, perplexity"),
    "export-pairs": ("native_align.seed.export_pairs:cli_main", "write seed pairs as chat / alpaca JSONL"),
    "train-worker": ("native_align.seed.train:cli_main", "fine-tune an alignment worker on seed pairs"),
}

# One line per stage for `--help` (what the stage writes, so a job's help says what it will touch).
STAGE_HELP: dict[str, str] = {
    "ingest": "raw corpora into `documents`; malformed records into `quarantine`",
    "curate": "language ID and quality signals into `signals` (keep + reasons)",
    "dedup": "exact + MinHash LSH, survivors, boilerplate: `duplicates` and `curated`",
    "seed": "pick the seed documents for the alignment expert into `seed`",
    "annotate": "the alignment expert rewrites the seed into `seed_pairs`",
    "rewrite": "LLM alignment workers on Ray actors into `aligned`",
    "report": "statistics, evaluation, HTML report",
    "export": "training mix as sharded JSONL.gz / Parquet",
}

# jobs/train_worker.py's steps: export needs Spark, train only torch, so a GPU box without Java runs train alone.
WORKER_STEPS: dict[str, str] = {"export": "export-pairs", "train": "train-worker"}
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass
class CommonArgs:
    profile: str
    config: str | None
    overrides: list[str]

    def settings(self) -> Settings:
        return load_settings(self.profile, self.config, self.overrides)

    def context(self):
        from native_align.context import Context

        return Context.create(self.settings())


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default="local", help="conf/<profile>.yaml (local, cluster, databricks)")
    p.add_argument("--config", default=None, help="a YAML file layered over the profile")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override one setting (repeatable), e.g. --set curate.lang_threshold=0.8")
    p.add_argument("--log-level", default="INFO")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="native-align", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run every stage in order (default: on the bundled sample corpus)")
    run.add_argument("--stages", default=None, help="comma-separated subset, e.g. ingest,curate")
    _add_common(run)
    for name in STAGES:
        text = STAGE_HELP.get(name, f"run the {name} stage")
        _add_common(sub.add_parser(name, help=text, description=f"native-align {name}: {text}"))
    for name, (_, help_text) in TOOLS.items():
        tool = sub.add_parser(name, help=help_text, add_help=False)
        tool.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def _common_from(ns: argparse.Namespace) -> CommonArgs:
    return CommonArgs(profile=ns.profile, config=ns.config, overrides=ns.overrides)


def _run_tool(name: str, argv: list[str]) -> int:
    module, func = TOOLS[name][0].split(":")
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    try:
        return int(getattr(importlib.import_module(module), func)(argv) or 0)
    except ConfigError as exc:
        print(f"native-align: {exc}", file=sys.stderr)
        return 2


def _stages_of(ns: argparse.Namespace) -> list[str] | None:
    """The stages a command runs: one for a stage command, `--stages` (default: all available) for `run`."""
    if ns.command != "run":
        return [ns.command]
    return ns.stages.split(",") if ns.stages else None


def main(argv: list[str] | None = None) -> int:
    """Run one command; every stage command prints its counts and the checked reconciliation, like `run`."""
    argv = list(sys.argv[1:] if argv is None else argv) or ["run"]
    if argv[0] in TOOLS:
        return _run_tool(argv[0], argv[1:])
    ns = build_parser().parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(ns.log_level).upper(), logging.INFO), format=LOG_FORMAT)
    for noisy in ("py4j", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        ctx = _common_from(ns).context()
    except ConfigError as exc:
        print(f"native-align: {exc}", file=sys.stderr)
        return 2
    from native_align.pipeline import run_pipeline
    from native_align.runs import ReconciliationError

    try:
        run_pipeline(ctx, _stages_of(ns))
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


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """For tools: the same --profile/--config/--set options as every other command."""
    _add_common(parser)


def common_args(ns: argparse.Namespace) -> CommonArgs:
    return _common_from(ns)


if __name__ == "__main__":
    sys.exit(main())
