"""Settings of the rewrite stage: engine, prompt, Ray actor pool, guardrails.

Defaults describe a cluster run (no limit, one GPU per actor is set in the cluster/databricks profiles); the local
profile only lowers ``limit`` and token caps so ``native-align run`` on the bundled sample stays cheap on a CPU.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.alignment.config import GuardrailConfig
from native_align.config import Section
from native_align.llm.config import ChatEndpointConfig


class TransformersEngineConfig(Section):
    """Local Hugging Face model: a path or hub id, or a GGUF file (``gguf_file``) dequantized at load."""

    # None: the Gemma 3 270M reference model when its package is installed (native_align/lm/reference.py).
    model: str | None = None
    gguf_file: str | None = None
    tokenizer: str | None = None
    device: Literal["auto", "cpu", "cuda"] = "auto"
    # auto: bf16 on GPU, fp32 on CPU.
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    attn_implementation: str | None = "sdpa"
    # CPU only: torch threads per actor. Ray sets OMP_NUM_THREADS=1 for fractional-CPU actors; None keeps that.
    num_threads: int | None = Field(None, ge=1)
    # Sequences per generate() call; the worker sorts each Ray batch by length before cutting these.
    batch_size: int = Field(8, ge=1)
    # max_new_tokens = clamp(ratio * input tokens + slack, min, cap).
    max_new_tokens_ratio: float = Field(1.3, gt=0)
    max_new_tokens_slack: int = Field(32, ge=0)
    min_new_tokens_cap: int = Field(16, ge=1)
    max_new_tokens_cap: int = Field(1024, ge=1)
    # Context budget for prompt + output; None: the model's max_position_embeddings (capped at 8192).
    context_length: int | None = Field(None, ge=64)
    # auto: chat template when the tokenizer has one, else the few-shot completion prompt.
    prompt_format: Literal["auto", "chat", "completion"] = "auto"
    do_sample: bool = False
    temperature: float = Field(0.7, gt=0)
    top_p: float = Field(0.9, gt=0, le=1)
    repetition_penalty: float = Field(1.05, gt=0)
    seed: int = 0
    # static: the length-sorted batches above (batch_size) through model.generate. continuous: transformers'
    # continuous batching (engines/continuous.py): a finished sequence's slot is refilled at once, paged KV cache,
    # shared prompt prefix cached; repetition_penalty is not applied there. auto: static on CPU, continuous on CUDA.
    generation_mode: Literal["auto", "static", "continuous"] = "auto"
    # Continuous mode only (cb_*). Sequences decoded together (slots); keep rewrite.ray.batch_size >= 4x this so the
    # engine stays full until the end of a Ray batch.
    cb_max_requests: int = Field(128, ge=1)
    # Tokens per forward pass: prompt chunks being prefilled + one per decoding sequence.
    cb_max_batch_tokens: int = Field(2048, ge=16)
    # Tokens per KV-cache block; prefix caching shares whole blocks, so smaller blocks share more of the prompt.
    cb_block_size: int = Field(256, ge=4)
    # KV-cache blocks; None: every slot can hold a full context_length (cb_max_requests x context / block size).
    cb_num_blocks: int | None = Field(None, ge=1)
    cb_prefix_caching: bool = True
    # CUDA graphs for the forward pass; None: transformers decides (on with flash attention, off with SDPA).
    cb_cuda_graphs: bool | None = None
    # torch.compile of the forward pass: 0 off, 1-3 transformers' preset levels (longer warm-up).
    cb_compile_level: int = Field(0, ge=0, le=3)


class OpenAIEngineConfig(ChatEndpointConfig):
    """Any OpenAI-compatible chat endpoint (the shared llm client's settings); the key comes from the environment
    variable named by ``api_key_env``, never from config."""

    # Without a tokenizer we budget pieces by characters: ~3 characters per token for Arabic BPE vocabularies.
    chars_per_token: float = Field(3.0, gt=0)
    context_length: int = Field(16384, ge=256)


class VllmEngineConfig(Section):
    """vLLM (optional extra, GPU only): engine kwargs for ``vllm.LLM`` or ``ray.data.llm.vLLMEngineProcessorConfig``."""

    model: str = "Qwen/Qwen2.5-1.5B-Instruct"
    tensor_parallel_size: int = Field(1, ge=1)
    max_model_len: int = Field(8192, ge=256)
    gpu_memory_utilization: float = Field(0.9, gt=0, le=1)
    dtype: str = "bfloat16"
    max_num_seqs: int = Field(256, ge=1)
    enable_prefix_caching: bool = True
    temperature: float = Field(0.2, ge=0)
    top_p: float = Field(0.9, gt=0, le=1)
    max_tokens: int = Field(4096, ge=1)
    batch_size: int = Field(64, ge=1)
    concurrency: int = Field(1, ge=1)
    chars_per_token: float = Field(3.0, gt=0)


class RayConfig(Section):
    """The Ray Data actor pool. Actors get fractional CPUs: integer CPUs on a small box starve read/write tasks."""

    # None: ray.init() locally (or join RAY_ADDRESS / a cluster Ray on Spark started).
    address: str | None = None
    num_cpus: int | None = None  # only for a local ray.init
    num_gpus: int | None = None  # only for a local ray.init (tests give 1 logical GPU)
    actors: int = Field(1, ge=1)
    num_cpus_per_actor: float = Field(0.5, gt=0)
    num_gpus_per_actor: float = Field(0.0, ge=0)
    # Rows per map_batches call (an actor sorts them by length and cuts engine batches from them).
    batch_size: int = Field(16, ge=1)
    # A crashed actor is restarted and its batch retried (-1: unlimited).
    max_restarts: int = -1
    max_task_retries: int = -1
    show_progress: bool = True


class RewriteConfig(Section):
    """What the rewrite stage does: which engine and prompt, on which documents, with which checks."""

    enabled: bool = True
    # transformers | openai | vllm | "package.module:Class" (a custom Engine, e.g. in tests).
    engine: str = "transformers"
    # Recorded in aligned.model; None: the engine's model id (path name, hub id, GGUF file name).
    model_name: str | None = None
    # None: a trained worker's own prompt (its folder's worker.json / prompt.yaml), else polish_v1. Setting it for a
    # worker that was trained with another prompt is an error naming both.
    prompt: str | None = None
    # Chat prompts carry the template's worked examples as earlier turns (better rewrites from an instruction model,
    # ~2x prompt tokens). None: as the worker was trained (its record), else true.
    chat_few_shot: bool | None = None
    # Deterministic subset of the work set (ordered by doc_id); None: everything missing.
    limit: int | None = Field(None, ge=0)
    # Statuses in `aligned` that are done again on a rerun (e.g. ["error"] after a flaky endpoint).
    retry_statuses: list[Literal["ok", "rejected", "error"]] = Field(default_factory=list)
    # Parquet files the work set is cut into (Ray reads one file as one block).
    work_files: int = Field(8, ge=1)
    # Documents per slice: the work set is rewritten and MERGEd into `aligned` one slice at a time, so a killed run
    # keeps every finished slice (each slice restarts the actor pool: keep it large against model load time).
    # None: one slice.
    slice_docs: int | None = Field(50_000, ge=1)
    # Pieces are cut at paragraph boundaries to at most this many tokens (None: derived from the context).
    max_piece_tokens: int | None = Field(None, ge=16)
    # Keep staging after the MERGE (debugging); normally removed once the rows are in `aligned`.
    keep_staging: bool = False
    # Engine keyword arguments for custom engines ("module:Class"): passed to the class as **engine_options.
    engine_options: dict = Field(default_factory=dict)
    transformers: TransformersEngineConfig = Field(default_factory=TransformersEngineConfig)
    openai: OpenAIEngineConfig = Field(default_factory=OpenAIEngineConfig)
    vllm: VllmEngineConfig = Field(default_factory=VllmEngineConfig)
    ray: RayConfig = Field(default_factory=RayConfig)
    guardrails: GuardrailConfig = Field(default_factory=GuardrailConfig)
