"""train.distributed=ddp with two real CPU processes (torchrun, gloo): one worker folder, written by rank 0, that the
rewrite engine loads; then a resumed two-process run continues from the checkpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")

from tests.conftest import REPO  # noqa: E402

pytestmark = pytest.mark.timeout(1800)


def _torchrun(tmp_path, *args: str, launcher: bool = True) -> subprocess.CompletedProcess:
    """Two processes by torchrun, or (launcher=False) one plain process that relaunches itself (train.processes)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1",
           "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    run = ["-m", "torch.distributed.run", "--standalone", "--nnodes", "1", "--nproc_per_node", "2"] if launcher else []
    cmd = [sys.executable, *run, "-m", "native_align.train.trainer", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=1200)


def _options(tiny_lm, pairs_dir, out, max_steps: int) -> list[str]:
    sets = ["train.distributed=ddp", "train.method=lora", "train.lora_r=4", "train.lora_alpha=8",
            "train.lora_dropout=0.0", "train.per_device_batch_size=2", "train.gradient_accumulation_steps=1",
            "train.learning_rate=0.005", "train.warmup_ratio=0.0", "train.lr_scheduler=constant",
            "train.logging_steps=1", "train.save_steps=2", "train.max_seq_len=1024", "train.max_eval_examples=2"]
    return ["--base-model", tiny_lm, "--pairs-dir", str(pairs_dir), "--output-dir", str(out),
            "--max-steps", str(max_steps), *[x for s in sets for x in ("--set", s)]]


def test_two_processes_train_one_worker_that_the_engine_loads_and_resume(tiny_lm, pairs_dir, tmp_path):
    out = tmp_path / "worker"
    first = _torchrun(tmp_path, *_options(tiny_lm, pairs_dir, out, 4))
    log = first.stdout + first.stderr
    assert first.returncode == 0, log[-6000:]
    assert "rank 1: rank 0 saves" in log and f"saved {out} as worker@" in log

    summary = json.loads((out / "training_summary.json").read_text(encoding="utf-8"))
    assert (summary["distributed"], summary["world_size"], summary["global_step"]) == ("ddp", 2, 4)
    # ONE worker folder: rank 0's; nothing written twice or per rank anywhere else
    records = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("worker.json"))
    assert [str(p) for p in records] == ["worker/worker.json"]
    weights = sorted(str(p.relative_to(out)) for p in out.rglob("*.safetensors") if "checkpoints" not in p.parts)
    assert weights == ["model.safetensors"]
    assert not (out / "adapter_config.json").exists()  # LoRA merged on rank 0: a plain model folder
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["checkpoint-2", "checkpoint-4"]

    from native_align.alignment.worker_record import read_record
    from native_align.rewrite.engines.transformers_engine import GenerationOptions, TransformersEngine

    assert read_record(out).worker_id == summary["worker_id"]
    engine = TransformersEngine.load(str(out), device="cpu",
                                     options=GenerationOptions(max_new_tokens_cap=8, batch_size=2))
    msgs = json.loads((pairs_dir / "chat" / "validation.jsonl").read_text(encoding="utf-8").splitlines()[0])
    gens = engine.generate([msgs["messages"][:-1]] * 2)
    assert all(g.error is None and g.completion_tokens > 0 for g in gens)

    # resumable: from the newest checkpoint to step 6, started as ONE process that relaunches itself as two (what a
    # Databricks job task does)
    second = _torchrun(tmp_path, *_options(tiny_lm, pairs_dir, out, 6), "--set", "train.processes=2", "--resume",
                       launcher=False)
    log = second.stdout + second.stderr
    assert second.returncode == 0, log[-6000:]
    assert "relaunching as 2 processes" in log and "rank 1: rank 0 saves" in log
    resumed = json.loads((out / "training_summary.json").read_text(encoding="utf-8"))
    assert resumed["resumed_from"].endswith("checkpoint-4") and resumed["global_step"] == 6
    assert resumed["world_size"] == 2
    assert resumed["worker_id"] != summary["worker_id"] and read_record(out).worker_id == resumed["worker_id"]


def test_a_multi_process_launch_with_distributed_none_is_refused(tiny_lm, pairs_dir, tmp_path):
    opts = [o if o != "train.distributed=ddp" else "train.distributed=none"
            for o in _options(tiny_lm, pairs_dir, tmp_path / "w", 2)]
    proc = _torchrun(tmp_path, *opts)
    assert proc.returncode != 0
    assert "launched as 2 processes but train.distributed=none" in proc.stdout + proc.stderr
    assert not (tmp_path / "w" / "worker.json").exists()
