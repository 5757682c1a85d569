"""Where a training run writes when its worker goes to object storage, and the final weights after FSDP.

Trainer checkpoints and ``save_pretrained`` need a local folder; ``train.output_dir`` may be ``s3://...`` or
``abfss://...``. So a run trains into a local folder and rank 0 copies each checkpoint up as it is saved (a resumed
run on a fresh machine fetches the newest one back) and the finished worker folder last, through
``native_align.storage``. Local and FUSE paths (``/Volumes/...``, ``file://``) are written in place.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from native_align import storage

log = logging.getLogger(__name__)

CHECKPOINTS = "checkpoints"


def local_work_dir(output_uri: str, local_dir: str | None = None) -> Path:
    """The folder training writes: the output folder itself on a local disk; else ``<local_dir or tmp>/
    native-align-train/<hash of the URI>/<its last name>`` (same name: the worker id names the folder)."""
    local = storage.local_path(output_uri)
    if local is not None:
        return Path(local)
    base = Path(local_dir or tempfile.gettempdir()) / "native-align-train"
    key = hashlib.sha1(output_uri.encode("utf-8")).hexdigest()[:12]
    return base / key / output_uri.rstrip("/").rsplit("/", 1)[-1]


def checkpoint_upload(remote_checkpoints: str):
    """A Trainer callback: rank 0 copies every checkpoint the Trainer saves to ``<output_dir>/checkpoints/<name>``
    (built here so that importing this module needs no transformers)."""
    from transformers import TrainerCallback

    class CheckpointUpload(TrainerCallback):
        def on_save(self, args, state, control, **kwargs):
            if not state.is_world_process_zero:
                return
            name = f"checkpoint-{state.global_step}"
            src = Path(args.output_dir) / name
            if src.is_dir():
                storage.copy_tree(src, storage.join(remote_checkpoints, name))
                log.info("train-worker: checkpoint %s uploaded to %s", name, remote_checkpoints)

    return CheckpointUpload()


def fetch_checkpoint(remote_checkpoints: str, local_checkpoints: Path) -> str | None:
    """Copy the newest remote checkpoint down when there is no local one (a resumed run on a new machine)."""
    from native_align.train.model import latest_checkpoint

    if latest_checkpoint(local_checkpoints):
        return None
    steps = {int(rel.split("/", 1)[0].rsplit("-", 1)[1]) for rel in storage.walk_files(remote_checkpoints)
             if rel.startswith("checkpoint-") and rel.split("/", 1)[0].rsplit("-", 1)[1].isdigit()}
    if not steps:
        return None
    name = f"checkpoint-{max(steps)}"
    storage.copy_tree(storage.join(remote_checkpoints, name), local_checkpoints / name)
    log.info("train-worker: fetched %s from %s to resume", name, remote_checkpoints)
    return name


def upload_worker(local: Path, remote: str) -> None:
    """Rank 0: the finished worker folder (checkpoints are already up) to ``train.output_dir``."""
    for entry in sorted(os.listdir(local)):
        if entry in (CHECKPOINTS,) or entry.startswith("_"):
            continue
        src, dst = local / entry, storage.join(remote, entry)
        storage.copy_tree(src, dst) if src.is_dir() else storage.copy_file(src, dst)
    log.info("train-worker: worker folder uploaded to %s", remote)


def merge_saved(cfg, base: str, gguf_file: str | None, saved: Path):
    """Rank 0 after FSDP: the gathered full weights (``Trainer.save_model``) as one plain model, LoRA merged."""
    import torch
    from transformers import AutoModelForCausalLM

    if cfg.method != "lora":
        return AutoModelForCausalLM.from_pretrained(saved, dtype=torch.float32)
    from peft import PeftModel

    extra = {"gguf_file": gguf_file} if gguf_file else {}
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32, **extra), saved)
    return model.merge_and_unload() if cfg.merge_lora else model
