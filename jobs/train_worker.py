"""Entry point for worker training (`native-align train-worker`): export the pairs, then fine-tune.

Export needs Spark (it reads `seed_pairs`); training needs only torch + transformers + peft, so on a GPU box
without Java run the second step alone:

    spark-submit jobs/train_worker.py export --profile cluster --out /shared/pairs
    python jobs/train_worker.py train --pairs-dir /shared/pairs --base-model Qwen/Qwen2.5-1.5B-Instruct \\
        --output-dir /shared/models/worker --set train.method=lora

Only parses arguments and calls the library.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import native_align  # noqa: F401  (installed package, or shipped with --py-files)
except ImportError:  # a source checkout without `pip install`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from native_align.cli import train_worker_job

if __name__ == "__main__":
    sys.exit(train_worker_job())
