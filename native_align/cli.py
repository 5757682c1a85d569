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
EXIT_CODES = {"ok": 0, "reconciliation": 1, "configuration": 2, "locked": 3, "stage error": 4}
NOISY_LOGGERS = ("py4j", "urllib3", "filelock")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="native-align", description=__doc__.split("\n")[0],
        epilog="exit codes: 0 ok, 1 reconciliation failed, 2 configuration error, 3 another run holds a table's "
               "lock (or wrote it at the same time), 4 a stage failed (docs/operations.md)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run every stage in order (default: on the bundled sample corpus)")
    run.add_argument("--stages", default=None, help="comma-separated subset, e.g. ingest,curate")
    run.add_argument("--sample", choices=sorted(SAMPLES), default=None,
                     help="run on a packaged sample: news (what conf/local.yaml ingests) or web (a WARC + WET pair; "
                          "tables under work/web/); see native_align/ingest/samples.py")
    _add_run_options(run)
    for stage in registry.PIPELINE:
        _add_run_options(sub.add_parser(stage.name, help=stage.help,
                                        description=f"native-align {stage.name}: {stage.help}"))
    for tool in registry.TOOLS:
        parsed = sub.add_parser(tool.name, help=tool.help, add_help=False)
        parsed.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    add_common_options(parser)
    parser.add_argument("--force", action="store_true",
                        help="take the tables' locks even when another run holds them (only when it is dead)")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an error, not only its cause")


class _QuietPy4J(logging.Filter):
    """py4j logs a retried send (a connection the JVM closed, seen when Ray starts) on the root logger at INFO,
    with a traceback; it then succeeds. Only its failures (ERROR) are worth a line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or "py4j" not in record.pathname.replace("\\", "/")


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=getattr(logging, str(level).upper(), logging.INFO), format=LOG_FORMAT)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root = logging.getLogger()
    if not any(isinstance(f, _QuietPy4J) for f in root.filters):
        root.addFilter(_QuietPy4J())


def _run_tool(name: str, argv: list[str]) -> int:
    configure_logging()
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


class _Origins(dict):
    """Where each setting came from, looked up by the longest known prefix: a bad item inside
    ``--set 'ingest.sources=[...]'`` (``ingest.sources.0.path``) is blamed on that --set, not on the profile that
    defined the section."""

    def get(self, key, default=None):
        parts = str(key).split(".")
        for i in range(len(parts), 0, -1):
            found = super().get(".".join(parts[:i]))
            if found is not None and i > 1:
                return found
        return super().get(key, default)


def load_settings(args):
    """Settings of a command (profile, --config, --set), with errors naming where the bad value came from."""
    from native_align.config import read_layers
    from native_align.settings import build_settings

    data, sources = read_layers(args.profile, args.config, args.overrides)
    return build_settings(data, profile=args.profile, sources=_Origins(sources))


def log_path(settings, run_id: str) -> str:
    """Where an error's traceback goes: ``logs/`` beside the staging folder (work/logs by default), else /tmp."""
    import os
    import tempfile

    from native_align import storage

    local = storage.local_path(settings.tables.staging_root)
    folder = os.path.join(os.path.dirname(local.rstrip("/")), "logs") if local else \
        os.path.join(tempfile.gettempdir(), "native-align-logs")
    return os.path.join(folder, f"{run_id}.log")


def _write_traceback(path: str, exc: BaseException) -> str | None:
    import os
    import traceback

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def _fail(message: str, exc: BaseException, debug: bool, path: str | None) -> None:
    """One sentence; the traceback in a log file (and on stderr under --debug)."""
    import traceback

    where = _write_traceback(path, exc) if path else None
    hint = f" (traceback: {where}; --debug prints it)" if where else " (--debug prints the traceback)"
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
        hint = ""
    print(f"native-align: {message}{hint}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one command; every stage command prints its counts and the checked reconciliation, like `run`.

    Exit codes: 0 ok, 1 the reconciliation failed, 2 a configuration error (settings, a source path), 3 another
    run holds a table's lock or wrote it at the same time, 4 a stage failed; each error is one sentence on stderr.
    """
    argv = list(sys.argv[1:] if argv is None else argv) or ["run"]
    if argv[0] in {t.name for t in registry.TOOLS}:
        return _run_tool(argv[0], argv[1:])
    ns = build_parser().parse_args(argv)
    configure_logging(ns.log_level)
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
        settings = load_settings(args)
    except ConfigError as exc:
        print(f"native-align: {exc}", file=sys.stderr)
        return 2
    from native_align.context import Context
    from native_align.errors import describe
    from native_align.ingest.sources import IngestError
    from native_align.locks import RunConflict, precheck
    from native_align.pipeline import StageFailed, run_pipeline
    from native_align.runs import ReconciliationError

    for name in stages or registry.stage_names():  # a held lock is refused before Spark starts (local folders)
        held = precheck(settings.tables, name, registry.stage(name).writes, ns.force)
        if held is not None:
            print(f"native-align: {held}", file=sys.stderr)
            return 3
    try:
        ctx = Context.create(settings)
    except Exception as exc:  # noqa: BLE001 - no Java, no Delta jars, a bad Spark conf: one sentence
        _fail(f"cannot start Spark: {describe(exc)}", exc, ns.debug, None)
        return 4
    try:
        run_pipeline(ctx, stages, force=ns.force)
    except ReconciliationError as exc:
        print(f"native-align: reconciliation failed: {exc}", file=sys.stderr)
        return 1
    except RunConflict as exc:
        print(f"native-align: {exc}", file=sys.stderr)
        return 3
    except StageFailed as exc:
        cause = exc.cause
        if isinstance(cause, ReconciliationError):
            print(f"native-align: {exc.stage}: reconciliation failed: {cause}", file=sys.stderr)
            return 1
        config = isinstance(cause, (ConfigError, IngestError))
        text = str(cause) if config else describe(cause)
        _fail(f"{exc.stage} failed (run {exc.run_id}): {text}", cause, ns.debug, log_path(settings, ctx.run_id))
        return 2 if config else 4
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
