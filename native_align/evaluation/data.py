"""Where the evaluation data sets live: ``$NATIVE_ALIGN_SHARED_DATA``, else ``../shared/data`` beside the repo.

The data (SaudiNewsNet, NTREX, ArSarcasm-v2, MLMA) is never shipped: evaluations read it from there and say so
clearly when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path:
    """``$NATIVE_ALIGN_SHARED_DATA``, else ``../shared/data`` next to the repository."""
    env = os.environ.get("NATIVE_ALIGN_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def saudinewsnet_path() -> Path:
    """SaudiNewsNet (31,030 articles, JSONL.gz with a ``content`` field)."""
    return shared_data_dir() / "corpus" / "saudinewsnet.jsonl.gz"
