"""Multi-process training: which process this is, the Trainer arguments of each mode, and who writes what.

``train-worker`` is launched once per GPU by ``torchrun`` or ``accelerate launch`` (their environment variables
RANK / LOCAL_RANK / WORLD_SIZE say which process this is); transformers' Trainer, through accelerate, then sets up
the process group (NCCL on GPUs, gloo on CPUs), shards the data and syncs gradients:

- ``none``: one process (what ``native-align train-worker`` always did). Launching it under torchrun with more
  than one process is an error, never N copies training the same thing into one folder.
- ``ddp``: every process holds the whole model; gradients are averaged. Rank 0 writes the final folder.
- ``fsdp``: parameters, gradients and optimizer state are sharded across processes (a 3B model's full fine-tuning
  fits where DDP's replicas do not). Saving gathers the full weights to rank 0 first.

Checkpoints are written by the Trainer (rank 0, or every rank its shard under FSDP) into one folder all processes
see: a local disk on one node, a shared filesystem (or a Volume) across nodes. Only rank 0 writes the worker folder,
``worker.json``, ``prompt.yaml`` and ``training_summary.json``; the other ranks wait for it, then return.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Launch:
    """This process's place in the launch (one process: rank 0 of 1)."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def current_launch() -> Launch:
    """From the variables torchrun / accelerate launch set (absent: a single process)."""
    env = os.environ
    return Launch(rank=int(env.get("RANK", 0)), local_rank=int(env.get("LOCAL_RANK", 0)),
                  world_size=int(env.get("WORLD_SIZE", 1)))


def check_launch(mode: str, launch: Launch) -> None:
    """Refuse a launch that contradicts ``train.distributed``; warn when a distributed mode runs alone."""
    if mode == "none" and launch.distributed:
        raise ValueError(f"train-worker was launched as {launch.world_size} processes but train.distributed=none: "
                         f"set train.distributed=ddp (or fsdp), or launch one process")
    if mode != "none" and not launch.distributed:
        log.warning("train.distributed=%s but this is a single process: launch with `torchrun --nproc_per_node "
                    "<GPUs> -m native_align.train.trainer ...` (or accelerate launch) to use every GPU", mode)


def trainer_arguments(cfg) -> dict:
    """Extra ``TrainingArguments`` of the configured mode."""
    if cfg.distributed == "ddp":
        # LoRA leaves most base parameters without gradients; searching for unused ones each step is wasted work.
        return {"ddp_find_unused_parameters": False, "ddp_backend": cfg.ddp_backend}
    if cfg.distributed == "fsdp":
        fsdp_config = {
            # FULL_STATE_DICT: save_model gathers whole weights on rank 0, so the worker folder is a plain model.
            "state_dict_type": "FULL_STATE_DICT",
            "use_orig_params": True,  # LoRA: frozen and trainable parameters in one flat group
            "sync_module_states": True,
            "cpu_ram_efficient_loading": False,
        }
        if cfg.fsdp_wrap_layers:
            fsdp_config["transformer_layer_cls_to_wrap"] = list(cfg.fsdp_wrap_layers)
        return {"fsdp": cfg.fsdp_strategy, "fsdp_config": fsdp_config, "ddp_backend": cfg.ddp_backend}
    return {}


def processes_wanted(cfg) -> int:
    """How many processes a distributed mode should run on this node when started as a single process."""
    if cfg.distributed == "none":
        return 1
    if cfg.processes:
        return cfg.processes
    import torch

    return max(1, torch.cuda.device_count())


def relaunch(argv: list[str], processes: int) -> int:
    """Run this training again under torchrun with ``processes`` processes on this node; its exit status.

    What a Databricks job task or ``native-align train-worker`` needs: they start one Python process."""
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nnodes", "1",
           "--nproc_per_node", str(processes), "-m", "native_align.train.trainer", *argv]
    log.info("train-worker: relaunching as %d processes: %s", processes, " ".join(cmd))
    return subprocess.run(cmd, env=env).returncode
