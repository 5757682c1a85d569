"""The curate kernel against the kernel it replaced, column by column, in one run.

The kernel was rewritten for speed (issue 14) with the promise that no signal, decision or reason moves. This
module loads the old kernel from git (``OLD_REV``: curate, LID and normalization as they were before the rewrite)
into a private package, scores the same documents with both, and lists every column that differs. Nothing is
saved between runs: the reference is recomputed from the old code each time.

    python -m tests.curate.identity [--limit N] [--rev REV]     # N = 0: all of SaudiNewsNet

``tests/curate/test_identity.py`` runs it on a fixed slice of SaudiNewsNet and on hand-made hard texts.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[2]
# The last commit with the old kernel (curate/batch.py, curate/signals/*, text/lid.py, text/normalize.py).
OLD_REV = "66864442f1d1736daa4b8c211d77348a5fb82881"
OLD_FILES = ("curate/__init__.py", "curate/batch.py", "curate/config.py", "curate/schema.py", "curate/stage.py",
             "curate/signals/__init__.py", "curate/signals/arabic_script.py", "curate/signals/base.py",
             "curate/signals/c4.py", "curate/signals/fineweb.py", "curate/signals/gopher_quality.py",
             "curate/signals/gopher_repetition.py", "curate/signals/lexicon.py", "text/__init__.py", "text/lid.py",
             "text/normalize.py")
PACKAGE = "na_old_kernel"


def git_available(rev: str = OLD_REV) -> bool:
    """Is this a git checkout that has ``rev``?"""
    try:
        subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{rev}^{{commit}}"], check=True,
                       capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


def load_old_stage(rev: str = OLD_REV, root: Path | None = None):
    """The old ``curate.stage`` module, its imports of curate/text pointed at the old copies (read with git show)."""
    root = Path(root or tempfile.mkdtemp(prefix="na-old-kernel-"))
    pkg = root / PACKAGE
    for rel in OLD_FILES:
        src = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:native_align/{rel}"], check=True,
                             capture_output=True, text=True).stdout
        src = src.replace("native_align.curate", f"{PACKAGE}.curate").replace("native_align.text", f"{PACKAGE}.text")
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(src, encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    resources = pkg / "resources"
    if not resources.exists():
        resources.symlink_to(REPO / "native_align" / "resources")  # the word lists the old lexicon reads
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(f"{PACKAGE}.curate.stage")


def as_table(texts: list[str | None]) -> pa.Table:
    return pa.table({"doc_id": [f"d{i}" for i in range(len(texts))], "source": ["s"] * len(texts),
                     "content_hash": [""] * len(texts), "text": pa.array(texts, type=pa.string())})


def load_saudinewsnet(limit: int = 0) -> pa.Table | None:
    path = Path(os.environ.get("NATIVE_ALIGN_SHARED_DATA", REPO.parent / "shared" / "data"))
    path = path / "corpus" / "saudinewsnet.jsonl.gz"
    if not path.is_file():
        return None
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit and i >= limit:
                break
            texts.append(json.loads(line).get("content") or "")
    return as_table(texts)


def differences(old: pa.Table, new: pa.Table) -> dict[str, str]:
    """Column -> what differs (first differing row), for every column of either output except ``run_id``."""
    out: dict[str, str] = {}
    names = [n for n in dict.fromkeys(old.schema.names + new.schema.names) if n != "run_id"]
    for name in names:
        if name not in old.schema.names or name not in new.schema.names:
            out[name] = "missing in " + ("old" if name not in old.schema.names else "new")
            continue
        a, b = old.column(name).to_pylist(), new.column(name).to_pylist()
        if pa.types.is_floating(old.schema.field(name).type):
            x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
            bad = np.flatnonzero(~((x == y) | (np.isnan(x) & np.isnan(y))))
        else:
            bad = np.flatnonzero([p != q for p, q in zip(a, b)])
        if len(bad):
            i = int(bad[0])
            out[name] = f"{len(bad)} rows differ; row {i}: old {a[i]!r} new {b[i]!r}"
    return out


def compare(table: pa.Table, batch_size: int = 10_000, rev: str = OLD_REV) -> tuple[dict[str, str], dict]:
    """Score ``table`` with the old and the new kernel (default settings) and list the differing columns."""
    from native_align.curate.config import CurateConfig
    from native_align.curate.stage import score_batches

    old_stage = load_old_stage(rev)
    old_cfg = importlib.import_module(f"{PACKAGE}.curate.config").CurateConfig(batch_size=batch_size)
    cfg = CurateConfig(batch_size=batch_size)
    t0 = time.perf_counter()
    old = pa.Table.from_batches(list(old_stage.score_batches(iter(table.to_batches()), old_cfg)))
    t1 = time.perf_counter()
    new = pa.Table.from_batches(list(score_batches(iter(table.to_batches()), cfg)))
    t2 = time.perf_counter()
    stats = {"docs": table.num_rows, "old_s": t1 - t0, "new_s": t2 - t1,
             "kept_old": sum(old.column("keep").to_pylist()), "kept_new": sum(new.column("keep").to_pylist())}
    return differences(old, new), stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=0, help="first N SaudiNewsNet articles (0: all)")
    ap.add_argument("--rev", default=OLD_REV, help="git revision of the old kernel")
    args = ap.parse_args(argv)
    table = load_saudinewsnet(args.limit)
    if table is None:
        print("SaudiNewsNet not found (set NATIVE_ALIGN_SHARED_DATA)")
        return 2
    diff, stats = compare(table, rev=args.rev)
    print(f"{stats['docs']:,} docs: old kernel {stats['old_s']:.1f} s, new {stats['new_s']:.1f} s; "
          f"kept old {stats['kept_old']:,}, new {stats['kept_new']:,}")
    for name, what in diff.items():
        print(f"DIFFERS {name}: {what}")
    print("identical: every signal column, keep and reject_reasons" if not diff else f"{len(diff)} columns differ")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
