"""``native-align eval <name> [options]``: dispatch to one evaluation module's ``main(argv)``."""

from __future__ import annotations

import importlib
import sys

# name -> "module:function"; each function takes argv (list[str]) and returns an exit code.
EVALUATIONS: dict[str, str] = {
    "lid": "native_align.evaluation.lid:main",
    "dedup": "native_align.evaluation.dedup:main",
    "toxicity": "native_align.evaluation.toxicity:main",
    "perplexity": "native_align.evaluation.perplexity:main",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in EVALUATIONS:
        print("usage: native-align eval {" + ",".join(EVALUATIONS) + "} [options]\n"
              "  each evaluation has its own --help", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module, func = EVALUATIONS[argv[0]].split(":")
    return int(getattr(importlib.import_module(module), func)(argv[1:]) or 0)
