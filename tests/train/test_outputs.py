"""A worker whose train.output_dir is an object-store URI (an fsspec memory:// store here): training writes to a
local folder, each checkpoint and then the worker go up, and a resumed run on a "new machine" (another local
folder) fetches the newest checkpoint back before continuing."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("torch")

from native_align import storage  # noqa: E402
from native_align.train.config import TrainConfig  # noqa: E402
from native_align.train.trainer import train_worker  # noqa: E402


def test_remote_output_uploads_the_worker_and_resumes_from_a_fetched_checkpoint(tiny_lm, pairs_dir, tmp_path):
    remote = f"memory://na-train-{os.getpid()}/models/worker"
    cfg = TrainConfig(method="full", max_steps=2, learning_rate=1e-3, per_device_batch_size=2,
                      gradient_accumulation_steps=1, logging_steps=1, save_steps=2, max_seq_len=1024,
                      local_dir=str(tmp_path / "machine-a"))
    first = train_worker(cfg, pairs_dir=pairs_dir.as_uri(), output_dir=remote, base_model=tiny_lm)
    files = storage.walk_files(remote)
    for name in ("worker.json", "prompt.yaml", "model.safetensors", "config.json", "training_summary.json"):
        assert name in files, files
    assert any(f.startswith("checkpoints/checkpoint-2/") for f in files)
    assert first.output_dir == remote and first.worker_id.startswith("worker@")

    cfg.local_dir, cfg.max_steps, cfg.resume_from_checkpoint = str(tmp_path / "machine-b"), 4, True
    second = train_worker(cfg, pairs_dir=pairs_dir.as_uri(), output_dir=remote, base_model=tiny_lm)
    assert second.resumed_from.endswith("checkpoint-2") and second.global_step == 4
    assert (tmp_path / "machine-b").is_dir()
    assert '"global_step": 4' in storage.read_text(storage.join(remote, "training_summary.json"))
