"""The options every command shares (``--profile``, ``--config``, ``--set``), for the CLI and for tools.

Tools (``eval``, ``export-pairs``, ``train-worker``) parse options of their own and add these; keeping them here,
not in ``cli.py``, lets library modules offer a command without importing the command line.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from native_align.settings import Settings, load_settings


@dataclass
class CommonArgs:
    profile: str
    config: str | None
    overrides: list[str]

    def settings(self) -> Settings:
        return load_settings(self.profile, self.config, self.overrides)

    def context(self):
        """A Context over these settings (imports Spark: only for commands that use tables)."""
        from native_align.context import Context

        return Context.create(self.settings())


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="local", help="conf/<profile>.yaml (local, cluster, databricks)")
    parser.add_argument("--config", default=None, help="a YAML file layered over the profile")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override one setting (repeatable), e.g. --set curate.lang_threshold=0.8")
    parser.add_argument("--log-level", default="INFO")


def common_args(ns: argparse.Namespace) -> CommonArgs:
    return CommonArgs(profile=ns.profile, config=ns.config, overrides=ns.overrides)
