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
        _add_common(sub.add_parser(name, help=f"run the {name} stage"))
    for name, (_, help_text) in TOOLS.items():
        tool = sub.add_parser(name, help=help_text, add_help=False)
        tool.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def _common_from(ns: argparse.Namespace) -> CommonArgs:
    return CommonArgs(profile=ns.profile, config=ns.config, overrides=ns.overrides)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv:
        argv = ["run"]
    if argv[0] in TOOLS:
        target, _ = TOOLS[argv[0]]
        module, func = target.split(":")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            return int(getattr(importlib.import_module(module), func)(argv[1:]) or 0)
        except ConfigError as exc:
            print(f"native-align: {exc}", file=sys.stderr)
            return 2
    ns = parser.parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(ns.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("py4j", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    common = _common_from(ns)
    try:
        ctx = common.context()
    except ConfigError as exc:
        print(f"native-align: {exc}", file=sys.stderr)
        return 2
    from native_align.pipeline import run_pipeline, run_stage

    if ns.command == "run":
        stages = ns.stages.split(",") if ns.stages else None
        run_pipeline(ctx, stages)
    else:
        run_stage(ctx, ns.command)
        from native_align.runs import reconcile

        print(reconcile(ctx).render())
    return 0


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """For tools: the same --profile/--config/--set options as every other command."""
    _add_common(parser)


def common_args(ns: argparse.Namespace) -> CommonArgs:
    return _common_from(ns)


if __name__ == "__main__":
    sys.exit(main())
