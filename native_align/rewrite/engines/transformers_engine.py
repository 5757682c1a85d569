"""Hugging Face transformers engine: batched, length-sorted, left-padded generation on CPU or GPU.

Why these choices: generation cost is dominated by the longest sequence of a batch, so prompts are sorted by token
length and cut into batches (plus a token budget per batch so long pieces do not run out of memory); decoder-only
models need *left* padding so every row's next token follows its own prompt; bf16 + SDPA attention on GPU, fp32 on
CPU (bf16 matmuls are slow on most CPUs). Chat models get their chat template; base models (Gemma 3 270M) get the
few-shot completion prompt. A failing batch is split and retried down to single prompts, so one bad document
never costs its neighbours their rewrite.

That is the *static* generation mode (the CPU default). The *continuous* mode (the CUDA default) hands the same
encoded prompts to transformers' continuous batching instead (``continuous.py``): finished sequences are replaced at
once, the KV cache is paged and the shared instruction prefix is cached. Both return the same ``Generation`` for the
same greedy tokens (``_decode`` is shared).

Only torch + transformers are imported here (no pydantic, Spark or Ray): benchmarks/bench_rewrite_gpu.py runs on
a GPU machine that has nothing else.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields
from typing import Any, Sequence

from native_align.rewrite.engines.base import Generation, Prompt, PromptFormat, budget

log = logging.getLogger(__name__)


@dataclass
class GenerationOptions:
    """Batching and sampling knobs (mirrors TransformersEngineConfig, without pydantic)."""

    batch_size: int = 8
    # Cap on batch_size * (longest prompt + max_new_tokens): keeps long pieces from exhausting memory.
    max_batch_tokens: int = 65536
    max_new_tokens_ratio: float = 1.3
    max_new_tokens_slack: int = 32
    min_new_tokens_cap: int = 16
    max_new_tokens_cap: int = 1024
    context_length: int | None = None
    prompt_format: str = "auto"
    do_sample: bool = False
    temperature: float = 0.7
    top_p: float = 0.9
    repetition_penalty: float = 1.05
    seed: int = 0
    # static: length-sorted batches through model.generate; continuous: transformers' continuous batching
    # (continuous.py); auto: static on CPU, continuous on CUDA.
    generation_mode: str = "auto"
    # Continuous mode only. Sequences decoded together (slots); tokens per forward pass (prompt chunks + one per
    # decoding sequence); KV cache block size in tokens; KV blocks (None: every slot can hold a full context_length);
    # share cached blocks of a common prompt prefix; CUDA graphs (None: transformers decides); torch.compile level 0-3.
    cb_max_requests: int = 128
    cb_max_batch_tokens: int = 2048
    cb_block_size: int = 256
    cb_num_blocks: int | None = None
    cb_prefix_caching: bool = True
    cb_cuda_graphs: bool | None = None
    cb_compile_level: int = 0

    @classmethod
    def from_config(cls, cfg: Any) -> "GenerationOptions":
        """Copy the same-named fields of a config object (TransformersEngineConfig or anything alike)."""
        return cls(**{f.name: getattr(cfg, f.name) for f in fields(cls) if hasattr(cfg, f.name)})


def _pick_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _pick_dtype(dtype: str, device: str):
    import torch

    if dtype == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return getattr(torch, dtype)


GENERATION_MODES = ("static", "continuous")


def resolve_generation_mode(mode: str, device) -> str:
    """auto: the static batches, measured on CPU and on an H100 (4,486 tok/s); continuous batching is opt-in
    (``generation_mode: continuous``) until benchmarks/bench_rewrite_gpu.py has measured it against static on a GPU:
    without flash-attn its attention over all slots may cost more than the refill saves (docs/rewrite.md)."""
    if mode == "auto":
        return "static"
    if mode not in GENERATION_MODES:
        raise ValueError(f"generation_mode must be auto, static or continuous, not {mode!r}")
    return mode


class TransformersEngine:
    """A causal LM + tokenizer held in memory (one per Ray actor)."""

    name = "transformers"

    def __init__(self, model, tokenizer, *, options: GenerationOptions | None = None, model_id: str | None = None):
        import torch

        self.model = model.eval()
        self.tokenizer = tokenizer
        self.options = options or GenerationOptions()
        self.model_id = model_id or getattr(model.config, "_name_or_path", None) or type(model).__name__
        self.device = next(model.parameters()).device
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        self.pad_id = tokenizer.pad_token_id
        eos = model.generation_config.eos_token_id
        eos = eos if isinstance(eos, (list, tuple)) else [eos]
        self.eos_ids = {int(e) for e in eos if e is not None} | (
            {int(tokenizer.eos_token_id)} if tokenizer.eos_token_id is not None else set())
        torch.manual_seed(self.options.seed)
        self.generation_mode = resolve_generation_mode(self.options.generation_mode, self.device)
        self._continuous = None  # the ContinuousBatcher, built at the first continuous generate()

    # -- construction -------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, model: str, *, gguf_file: str | None = None, tokenizer: str | None = None, device: str = "auto",
             dtype: str = "auto", attn_implementation: str | None = "sdpa",
             options: GenerationOptions | None = None, model_id: str | None = None) -> "TransformersEngine":
        """Load from a folder / hub id, or a GGUF file inside ``model`` (dequantized by transformers)."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = _pick_device(device)
        torch_dtype = _pick_dtype(dtype, device)
        kwargs: dict[str, Any] = {"dtype": torch_dtype}
        if gguf_file:
            kwargs["gguf_file"] = gguf_file
        if attn_implementation:
            kwargs["attn_implementation"] = attn_implementation
        tok_kwargs = {"gguf_file": gguf_file} if gguf_file and not tokenizer else {}
        tok = AutoTokenizer.from_pretrained(tokenizer or model, **tok_kwargs)
        tok.padding_side = "left"
        try:
            lm = AutoModelForCausalLM.from_pretrained(model, **kwargs)
        except (ValueError, ImportError) as exc:  # an architecture without SDPA support: fall back to eager
            if "attn_implementation" not in kwargs:
                raise
            log.warning("loading with attn_implementation=%s failed (%s); using the default", attn_implementation, exc)
            kwargs.pop("attn_implementation")
            lm = AutoModelForCausalLM.from_pretrained(model, **kwargs)
        lm.to(device)
        ident = model_id or (os.path.basename(gguf_file) if gguf_file else model)
        return cls(lm, tok, options=options, model_id=ident)

    @classmethod
    def from_config(cls, cfg: Any, model: str, gguf_file: str | None = None,
                    model_id: str | None = None) -> "TransformersEngine":
        """From a TransformersEngineConfig-like object (model path resolved by the caller)."""
        if getattr(cfg, "num_threads", None) and _pick_device(cfg.device) == "cpu":
            import torch

            torch.set_num_threads(int(cfg.num_threads))
        return cls.load(model, gguf_file=gguf_file, tokenizer=cfg.tokenizer, device=cfg.device, dtype=cfg.dtype,
                        attn_implementation=cfg.attn_implementation, options=GenerationOptions.from_config(cfg),
                        model_id=model_id)

    # -- properties the worker uses -----------------------------------------------------------------------------
    @property
    def prompt_format(self) -> PromptFormat:
        fmt = self.options.prompt_format
        if fmt in ("chat", "completion"):
            return fmt  # type: ignore[return-value]
        return "chat" if getattr(self.tokenizer, "chat_template", None) else "completion"

    @property
    def context_length(self) -> int:
        if self.options.context_length:
            return int(self.options.context_length)
        n = getattr(self.model.config, "max_position_embeddings", None) or 2048
        return int(min(n, 8192))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        enc = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in enc]

    def max_new_tokens_for(self, input_tokens: int) -> int:
        o = self.options
        return budget(input_tokens, o.max_new_tokens_ratio, o.max_new_tokens_slack, o.min_new_tokens_cap,
                      o.max_new_tokens_cap)

    # -- prompts -> token ids -----------------------------------------------------------------------------------
    def render(self, prompt: Prompt) -> list[int]:
        """Token ids of one prompt: the chat template for messages, plain tokenization (with BOS) for text."""
        if isinstance(prompt, str):
            return list(self.tokenizer(prompt, add_special_tokens=True)["input_ids"])
        messages = [dict(m) for m in prompt]
        try:
            text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        except Exception:
            # Some templates (Gemma) reject a system turn: fold it into the first user turn.
            if messages and messages[0]["role"] == "system" and len(messages) > 1:
                system = messages.pop(0)["content"]
                messages[0] = {**messages[0], "content": system + "\n\n" + messages[0]["content"]}
            text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # -- generation ---------------------------------------------------------------------------------------------
    def generate(self, prompts: Sequence[Prompt], max_new_tokens: Sequence[int] | None = None,
                 stop: Sequence[str] = ()) -> list[Generation]:
        if self.generation_mode == "continuous":
            return self._generate_continuous(prompts, max_new_tokens, stop)
        results, encoded = self._encode(prompts, max_new_tokens)
        # Longest first: similar lengths share a batch, and an out-of-memory shows up on the first batch.
        encoded.sort(key=lambda e: len(e[1]), reverse=True)
        for chunk in self._chunks(encoded):
            for i, gen in self._generate_safe(chunk, stop):
                results[i] = gen
        return [r if r is not None else Generation.failed("not generated") for r in results]

    def _generate_continuous(self, prompts, max_new_tokens, stop) -> list[Generation]:
        from native_align.rewrite.engines.continuous import ContinuousBatcher

        results, encoded = self._encode(prompts, max_new_tokens)
        if self._continuous is None:
            self._continuous = ContinuousBatcher(self)
        for i, gen in self._continuous.generate(encoded, stop):
            results[i] = gen
        return [r if r is not None else Generation.failed("not generated") for r in results]

    def close(self) -> None:
        """Free the continuous-batching KV cache (and its CUDA graphs); the engine stays usable."""
        if self._continuous is not None:
            self._continuous.close()
            self._continuous = None

    def _encode(self, prompts: Sequence[Prompt], max_new_tokens: Sequence[int] | None):
        """(results with rendering / context errors filled in, [(index, token ids, max new tokens)])."""
        results: list[Generation | None] = [None] * len(prompts)
        encoded: list[tuple[int, list[int], int]] = []
        for i, prompt in enumerate(prompts):
            try:
                ids = self.render(prompt)
            except Exception as exc:
                results[i] = Generation.failed(f"prompt rendering failed: {type(exc).__name__}: {exc}")
                continue
            cap = int(max_new_tokens[i]) if max_new_tokens is not None else self.max_new_tokens_for(len(ids))
            room = self.context_length - len(ids)
            if room < 1:
                results[i] = Generation.failed(f"prompt of {len(ids)} tokens exceeds the context "
                                               f"({self.context_length})")
                continue
            encoded.append((i, ids, max(1, min(cap, room))))
        return results, encoded

    def _chunks(self, encoded: list[tuple[int, list[int], int]]):
        chunk: list[tuple[int, list[int], int]] = []
        longest = 0
        for item in encoded:
            need = len(item[1]) + item[2]
            if chunk and (len(chunk) >= self.options.batch_size
                          or (len(chunk) + 1) * max(longest, need) > self.options.max_batch_tokens):
                yield chunk
                chunk, longest = [], 0
            chunk.append(item)
            longest = max(longest, need)
        if chunk:
            yield chunk

    def _generate_safe(self, chunk, stop) -> list[tuple[int, Generation]]:
        """Generate a chunk; on failure split it in halves so only the guilty prompt ends up as an error."""
        try:
            return self._generate_chunk(chunk, stop)
        except Exception as exc:
            if _is_oom(exc):
                _empty_cache()
            if len(chunk) == 1:
                log.warning("generation failed for one prompt: %s", exc)
                return [(chunk[0][0], Generation.failed(f"generation failed: {type(exc).__name__}: {exc}"))]
            mid = len(chunk) // 2
            return self._generate_safe(chunk[:mid], stop) + self._generate_safe(chunk[mid:], stop)

    def _generate_chunk(self, chunk, stop) -> list[tuple[int, Generation]]:
        import torch

        width = max(len(ids) for _, ids, _ in chunk)
        input_ids = torch.full((len(chunk), width), self.pad_id, dtype=torch.long)
        attention = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, (_, ids, _) in enumerate(chunk):
            input_ids[row, width - len(ids):] = torch.tensor(ids, dtype=torch.long)
            attention[row, width - len(ids):] = 1
        max_new = max(cap for _, _, cap in chunk)
        o = self.options
        gen_kwargs: dict[str, Any] = dict(max_new_tokens=max_new, pad_token_id=self.pad_id,
                                          eos_token_id=sorted(self.eos_ids) or None,
                                          repetition_penalty=o.repetition_penalty, do_sample=o.do_sample)
        if o.do_sample:
            gen_kwargs.update(temperature=o.temperature, top_p=o.top_p)
        else:
            gen_kwargs.update(temperature=None, top_p=None, top_k=None)
        if stop:
            gen_kwargs.update(stop_strings=list(stop), tokenizer=self.tokenizer)
        with torch.inference_mode():
            out = self.model.generate(input_ids=input_ids.to(self.device), attention_mask=attention.to(self.device),
                                      **gen_kwargs)
        new_tokens = out[:, width:].tolist()
        results = []
        for row, (i, ids, cap) in enumerate(chunk):
            results.append((i, self._decode(new_tokens[row], len(ids), cap, stop)))
        return results

    def _decode(self, tokens: list[int], prompt_len: int, cap: int, stop: Sequence[str]) -> Generation:
        finish = None
        kept: list[int] = []
        for t in tokens:
            if t in self.eos_ids:
                finish = "stop"
                break
            if t == self.pad_id:  # a row finished by a stop string is padded afterwards
                continue
            kept.append(t)
        if len(kept) > cap:  # this row's own budget is below the batch's
            kept, finish = kept[:cap], None
        text = self.tokenizer.decode(kept, skip_special_tokens=True)
        for s in stop:
            if s and s in text:
                text, finish = text.split(s, 1)[0], "stop"
        if finish is None:
            finish = "length" if len(kept) >= cap else "stop"
        return Generation(text=text, prompt_tokens=prompt_len, completion_tokens=len(kept), finish_reason=finish)


def _is_oom(exc: Exception) -> bool:
    return "out of memory" in str(exc).lower()


def _empty_cache() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # pragma: no cover - best effort
        pass
