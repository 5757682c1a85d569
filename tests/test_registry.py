"""The one registry: every stage, tool and evaluation is wired by a direct import, and names are checked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from native_align import registry
from native_align.cli import build_parser, main

REPO = Path(__file__).resolve().parent.parent


def test_pipeline_order_and_runners():
    assert registry.stage_names() == ["ingest", "curate", "dedup", "redact", "seed", "annotate", "pairs", "rewrite",
                                       "report", "export"]
    for stage in registry.PIPELINE:
        assert callable(stage.run) and stage.help
        package = {"redact": "pii"}.get(stage.name, stage.name)  # the stage is named for what it does
        assert stage.run.__module__.startswith(f"native_align.{package}.")


def test_every_command_is_in_the_parser():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    names = set(sub.choices)
    assert {"run", *registry.stage_names(), *(t.name for t in registry.TOOLS)} == names


def test_unknown_names_are_errors():
    with pytest.raises(KeyError, match="unknown stage 'dedupe'"):
        registry.stage("dedupe")
    with pytest.raises(KeyError, match="unknown evaluation"):
        registry.evaluation("nope")


def test_run_with_an_unknown_stage_exits_2_before_spark(capsys):
    assert main(["run", "--stages", "ingest,dedupe"]) == 2
    assert "unknown stage 'dedupe'" in capsys.readouterr().err


def test_eval_without_a_name_lists_the_evaluations(capsys):
    assert main(["eval"]) == 2
    err = capsys.readouterr().err
    assert all(e.name in err for e in registry.EVALUATIONS)


def test_no_import_circles_and_no_library_module_imports_the_cli():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "import_graph.py")], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "import circles: 0" in proc.stdout
