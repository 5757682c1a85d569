"""Settings of worker training (``train``): pair export and fine-tuning."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section


class TrainConfig(Section):
    """Fine-tuning an alignment worker on seed pairs (transformers Trainer; LoRA via peft or full)."""

    # HF id or local folder; None: the shipped reference model (Gemma 3 270M base, GGUF dequantized at load).
    base_model: str | None = None
    # A GGUF file inside base_model's folder, dequantized at load.
    gguf_file: str | None = None
    method: Literal["lora", "full"] = "lora"
    # The worker's instruction template: export-pairs builds every training conversation with it and train-worker
    # saves it with the weights, so the rewrite stage prompts the worker exactly so. A short instruction keeps
    # sequences short; the expert's full rules (expert.prompt) are what made the pairs.
    prompt: str = "worker_v1"
    # Which pairs export-pairs writes for training: the expert's (`seed_pairs`) and / or noise-model pairs.
    origins: list[Literal["expert", "noise"]] = Field(default_factory=lambda: ["expert", "noise"])
    # Compute the vocabulary projection only for the rewrite's positions (the loss needs nothing else).
    completion_logits_only: bool = True
    # export-pairs writes here; train-worker reads `<pairs_dir>/chat/{train,validation}.jsonl`. Both are local paths
    # or URIs (s3://, abfss://, file://, dbfs:/Volumes/...; native_align.storage).
    pairs_dir: str = "work/pairs"
    output_dir: str = "work/models/worker"
    # Share of pairs (by hash of doc_id) held out for validation.
    val_fraction: float = Field(0.1, ge=0, lt=1)
    # Which seed_pairs statuses become training pairs (guardrail-rejected rewrites teach bad habits).
    statuses: list[str] = Field(default_factory=lambda: ["ok"])
    # Include the template's few-shot turns in each training conversation (off: shorter sequences; the
    # worker learns the task from data, and the rewrite engine's chat prompt must match: see docs/seed.md).
    few_shot: bool = False
    epochs: float = Field(2.0, gt=0)
    max_steps: int = -1
    learning_rate: float = Field(2e-4, gt=0)
    per_device_batch_size: int = Field(4, ge=1)
    gradient_accumulation_steps: int = Field(4, ge=1)
    max_seq_len: int = Field(4096, ge=32)
    warmup_ratio: float = Field(0.03, ge=0, lt=1)
    weight_decay: float = Field(0.0, ge=0)
    lr_scheduler: str = "cosine"
    lora_r: int = Field(16, ge=1)
    lora_alpha: int = Field(32, ge=1)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    # "all-linear" or a list of module names (q_proj, v_proj, ...).
    lora_target_modules: str | list[str] = "all-linear"
    # Merge LoRA into the base weights before saving, so the rewrite engine loads a plain model dir.
    merge_lora: bool = True
    gradient_checkpointing: bool = False
    # auto: bf16 on a GPU that supports it, fp32 on CPU.
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    logging_steps: int = Field(10, ge=1)
    save_steps: int = Field(200, ge=1)
    save_total_limit: int = Field(2, ge=1)
    eval_steps: int | None = Field(None, ge=1)
    # Validation loss on at most this many held-back pairs (a forward pass each: minutes on a CPU).
    max_eval_examples: int = Field(256, ge=0)
    seed: int = 42
    # True: continue from the newest checkpoint in output_dir/checkpoints; a path: from that checkpoint.
    resume_from_checkpoint: bool | str = False
    # none: one process. ddp / fsdp: one process per GPU, launched by `torchrun --nproc_per_node N -m
    # native_align.train.trainer ...` or `accelerate launch`; rank 0 saves (native_align/train/distributed.py).
    distributed: Literal["none", "ddp", "fsdp"] = "none"
    # ddp / fsdp started as one plain process (a Databricks job task, `native-align train-worker`): relaunch under
    # torchrun with this many processes on this node. None: one per visible GPU; 1: stay a single process.
    processes: int | None = Field(None, ge=1)
    # torch.distributed backend; None: nccl on GPUs, gloo on CPUs.
    ddp_backend: Literal["nccl", "gloo"] | None = None
    # FSDP only: transformers' `fsdp` argument, and the decoder-layer classes wrapped one by one (None: the model's
    # own _no_split_modules, e.g. Qwen2DecoderLayer).
    fsdp_strategy: str = "full_shard auto_wrap"
    fsdp_wrap_layers: list[str] | None = None
    # When output_dir (or pairs_dir) is an object-store URI: the local folder training writes to before the worker
    # (and each checkpoint) is uploaded. None: a folder under the system temp dir.
    local_dir: str | None = None
