"""vLLM engine (optional extra, GPU only): ``vllm.LLM`` inside our Ray actors, or Ray Data's own LLM processor.

vLLM cannot be installed on the CPU development machines nor on the project's GPU machine (see docs/rewrite.md), so
what is tested here is the *configuration building*: the ``vllm.LLM`` keyword arguments, the sampling parameters,
and the ``ray.data.llm.vLLMEngineProcessorConfig``. Two ways to run it on a GPU cluster:

1. ``rewrite.engine: vllm`` — our stage and worker, with :class:`VllmEngine` holding a ``vllm.LLM`` per actor
   (same splitting, guardrails, staging and MERGE as every other engine);
2. :func:`build_ray_processor` — Ray Data's vLLM processor for a dataset of rows with ``text``; the worker's
   guardrails can then run as a ``map_batches`` after it.
"""

from __future__ import annotations

from typing import Any, Sequence

from native_align.rewrite.engines.base import EngineUnavailable, Generation, Prompt, PromptFormat, budget


def engine_kwargs(cfg: Any) -> dict[str, Any]:
    """Keyword arguments of ``vllm.LLM`` (and ``engine_kwargs`` of the Ray processor)."""
    return {
        "model": cfg.model,
        "tensor_parallel_size": cfg.tensor_parallel_size,
        "max_model_len": cfg.max_model_len,
        "gpu_memory_utilization": cfg.gpu_memory_utilization,
        "dtype": cfg.dtype,
        "max_num_seqs": cfg.max_num_seqs,
        "enable_prefix_caching": cfg.enable_prefix_caching,
    }


def sampling_params(cfg: Any, max_tokens: int | None = None) -> dict[str, Any]:
    """Keyword arguments of ``vllm.SamplingParams``."""
    return {"temperature": cfg.temperature, "top_p": cfg.top_p, "max_tokens": int(max_tokens or cfg.max_tokens)}


def ray_processor_config(cfg: Any):
    """``ray.data.llm.vLLMEngineProcessorConfig`` for this configuration (validated by Ray, no GPU needed)."""
    from ray.data.llm import vLLMEngineProcessorConfig

    kwargs = engine_kwargs(cfg)
    model = kwargs.pop("model")
    return vLLMEngineProcessorConfig(model_source=model, engine_kwargs=kwargs, batch_size=cfg.batch_size,
                                     concurrency=cfg.concurrency, should_continue_on_error=True)


def build_ray_processor(cfg: Any, prompt):
    """A Ray Data processor: rows with ``doc_id`` and ``text`` in, ``rewrite`` + token counts out."""
    from ray.data.llm import build_processor

    params = sampling_params(cfg)

    def pre(row: dict) -> dict:
        return {"doc_id": row["doc_id"], "text": row["text"], "messages": prompt.messages(row["text"]),
                "sampling_params": params}

    def post(row: dict) -> dict:
        return {"doc_id": row["doc_id"], "original_text": row["text"],
                "rewrite": prompt.clean_output(row.get("generated_text") or ""),
                "prompt_tokens": int(row.get("num_input_tokens") or 0),
                "completion_tokens": int(row.get("num_generated_tokens") or 0),
                "error": row.get("__inference_error__")}

    return build_processor(ray_processor_config(cfg), preprocess=pre, postprocess=post)


class VllmEngine:
    """``vllm.LLM`` as an Engine (one per Ray actor with ``num_gpus`` = tensor_parallel_size)."""

    name = "vllm"

    def __init__(self, llm, cfg: Any, model_id: str | None = None):
        self.llm = llm
        self.cfg = cfg
        self.model_id = model_id or cfg.model
        self.tokenizer = llm.get_tokenizer()

    @classmethod
    def from_config(cls, cfg: Any, model_id: str | None = None) -> "VllmEngine":
        try:
            from vllm import LLM
        except ImportError as exc:
            raise EngineUnavailable("rewrite.engine=vllm needs vllm (GPU machines only: pip install vllm)") from exc
        return cls(LLM(**engine_kwargs(cfg)), cfg, model_id=model_id)

    @property
    def prompt_format(self) -> PromptFormat:
        return "chat"

    @property
    def context_length(self) -> int:
        return int(self.cfg.max_model_len)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(self.tokenizer.encode(t, add_special_tokens=False)) for t in texts]

    def max_new_tokens_for(self, input_tokens: int) -> int:
        return budget(input_tokens, 1.5, 64, 64, self.cfg.max_tokens)

    def generate(self, prompts: Sequence[Prompt], max_new_tokens: Sequence[int] | None = None,
                 stop: Sequence[str] = ()) -> list[Generation]:
        from vllm import SamplingParams

        caps = list(max_new_tokens) if max_new_tokens is not None else [self.cfg.max_tokens] * len(prompts)
        params = [SamplingParams(**sampling_params(self.cfg, c), stop=list(stop) or None) for c in caps]
        out: list[Generation] = []
        chats = [p for p in prompts if not isinstance(p, str)]
        if chats and len(chats) == len(prompts):
            results = self.llm.chat([list(p) for p in prompts], params, use_tqdm=False)
        else:
            results = self.llm.generate([p if isinstance(p, str) else str(p) for p in prompts], params,
                                        use_tqdm=False)
        for res in results:
            comp = res.outputs[0]
            out.append(Generation(text=comp.text, prompt_tokens=len(res.prompt_token_ids or []),
                                  completion_tokens=len(comp.token_ids or []), finish_reason=comp.finish_reason))
        return out

