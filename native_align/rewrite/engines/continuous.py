"""Continuous batching for the transformers engine, on transformers' own paged-attention manager.

Why: a static batch runs until its longest row ends (finished rows sit idle) and encodes the shared instruction
prompt again for every document. Here a finished sequence leaves at once and a waiting one takes its place at the
next forward pass, the KV cache is paged (blocks of ``cb_block_size`` tokens), and full blocks of a prompt prefix
already in the cache are shared instead of recomputed (prefix caching of the instruction prompt). Scheduler, paged
cache and attention are transformers' (``model.init_continuous_batching`` -> ``ContinuousBatchingManager``, public
API: ``add_request``, ``get_result``, ``cancel_request``, ``start``/``stop``); this module maps its per-request
outputs back onto the :class:`~native_align.rewrite.engines.base.Engine` contract.

Sessions: each ``generate`` call starts the manager's generation thread, submits every prompt (longest first, so
long ones do not straggle at the end), collects the outputs and stops the thread; the manager (KV cache, CUDA
graphs) stays on the model between calls (``keep_for_next_session``), so no thread outlives a call and nothing is
allocated twice.

Where it differs from the static mode, and why:
- Stop strings are not a transformers CB feature. The output is cut at the first token that completes a stop
  string, which is where the static mode's ``StopStringCriteria`` stops too. With completion prompts (a stop string
  is their normal end) requests stream and are cancelled at that token; with chat prompts (a stop string is a rare
  safety net) they are cut afterwards, which spares the per-token streaming overhead.
- ``repetition_penalty`` is not supported by transformers CB (it needs each sequence's history in the batched
  logits step): it is ignored with a warning, as in the vLLM engine's sampling parameters.
- A failing forward pass ends the whole session in transformers CB; requests that did not finish run again in
  halves, so one bad prompt ends up the only error (as the static mode's batch splitting does).

torch + transformers only (the GPU benchmark imports this on a machine without pydantic, Spark or Ray).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Any, Sequence

from native_align.rewrite.engines.base import Generation

log = logging.getLogger(__name__)

Item = tuple[int, list[int], int]  # (prompt index, prompt token ids, max new tokens)
# A streamed request is scanned for stop strings every this many tokens (the cut is still exact: the scan starts
# where the last one ended); a late cancellation only costs that request a few tokens.
STREAM_CHECK_EVERY = 8
Outcome = list[int] | str  # generated token ids, or the error of a request that did not finish


class StopScanner:
    """Finds the generated token that completes a stop string, decoding only a window of recent tokens."""

    def __init__(self, tokenizer, stop: Sequence[str]):
        self.tokenizer = tokenizer
        self.stop = [s for s in stop if s]
        # A character is at most 4 byte-level tokens: this window always holds a whole stop string.
        self.window = 4 * max((len(s) for s in self.stop), default=0) + 4

    def first(self, tokens: Sequence[int], start: int = 0) -> int | None:
        """Smallest k >= start such that a stop string ends within tokens[: k + 1], else None."""
        if not self.stop or len(tokens) <= start:
            return None
        if not self._has(tokens[max(0, start - self.window):]):  # one decode when nothing matches (the usual case)
            return None
        for k in range(start, len(tokens)):
            if self._has(tokens[max(0, k + 1 - self.window): k + 1]):
                return k
        return None

    def _has(self, tokens: Sequence[int]) -> bool:
        text = self.tokenizer.decode(list(tokens), skip_special_tokens=True)
        return any(s in text for s in self.stop)


class ContinuousBatcher:
    """One per engine: builds transformers' manager lazily and runs one session per ``generate`` call."""

    def __init__(self, engine):
        self.engine = engine
        self.model = engine.model
        o = engine.options
        self.block_size = int(o.cb_block_size)
        self.num_blocks = int(o.cb_num_blocks or math.ceil(o.cb_max_requests * engine.context_length
                                                           / self.block_size))
        self.capacity = self.num_blocks * self.block_size  # KV tokens the cache holds
        self.generation_config = self._generation_config()
        self.cb_config = self._cb_config()
        self._sessions = 0
        self._owned = None  # the manager this batcher built (kept on the model between calls)
        if o.repetition_penalty != 1.0:
            log.warning("continuous generation ignores repetition_penalty=%s (transformers continuous batching "
                        "does not support it); use generation_mode: static to apply it", o.repetition_penalty)

    # -- configuration ------------------------------------------------------------------------------------------
    def _generation_config(self):
        from transformers import GenerationConfig

        o, e = self.engine.options, self.engine
        kwargs: dict[str, Any] = dict(do_sample=o.do_sample, eos_token_id=sorted(e.eos_ids) or None,
                                      pad_token_id=e.pad_id, max_new_tokens=o.max_new_tokens_cap)
        if o.do_sample:
            kwargs.update(temperature=o.temperature, top_p=o.top_p)
        else:
            kwargs.update(temperature=None, top_p=None, top_k=None)
        return GenerationConfig(**kwargs)

    def _cb_config(self):
        """transformers' ContinuousBatchingConfig; field names differ between versions (page_size was block_size)."""
        from transformers.generation import ContinuousBatchingConfig

        o = self.engine.options
        names = {f.name for f in dataclasses.fields(ContinuousBatchingConfig)}
        wanted: dict[str, Any] = dict(
            num_blocks=self.num_blocks, max_batch_tokens=int(o.cb_max_batch_tokens),
            max_requests_per_batch=int(o.cb_max_requests), allow_block_sharing=bool(o.cb_prefix_caching),
            use_cuda_graph=o.cb_cuda_graphs, default_compile_level=int(o.cb_compile_level), seed=int(o.seed))
        wanted["page_size" if "page_size" in names else "block_size"] = self.block_size
        return ContinuousBatchingConfig(**{k: v for k, v in wanted.items() if k in names})

    def settings(self) -> dict[str, Any]:
        """What this batcher runs with (logged by the benchmark)."""
        o = self.engine.options
        return {"max_requests": o.cb_max_requests, "max_batch_tokens": o.cb_max_batch_tokens,
                "block_size": self.block_size, "num_blocks": self.num_blocks, "prefix_caching": o.cb_prefix_caching,
                "cuda_graphs": o.cb_cuda_graphs, "compile_level": o.cb_compile_level}

    # -- generation ---------------------------------------------------------------------------------------------
    def generate(self, items: list[Item], stop: Sequence[str]) -> list[tuple[int, Generation]]:
        out: list[tuple[int, Generation]] = []
        runnable: list[Item] = []
        for i, ids, cap in items:
            if not ids:  # nothing to condition on (an empty completion prompt of a tokenizer without BOS)
                out.append((i, Generation.failed("prompt has no tokens")))
            elif len(ids) + cap > self.capacity:
                out.append((i, Generation.failed(f"prompt of {len(ids)} tokens + {cap} new exceeds the KV cache "
                                                 f"({self.capacity} tokens: cb_num_blocks x cb_block_size)")))
            else:
                runnable.append((i, ids, cap))
        runnable.sort(key=lambda it: len(it[1]) + it[2], reverse=True)
        outcomes = self._run_safe(runnable, stop) if runnable else {}
        for i, ids, cap in runnable:
            got = outcomes.get(i, "not generated")
            if isinstance(got, str):
                out.append((i, Generation.failed(got)))
            else:
                out.append((i, self.engine._decode(got, len(ids), cap, stop)))
        return out

    def _run_safe(self, items: list[Item], stop: Sequence[str]) -> dict[int, Outcome]:
        """Run a session; rerun what did not finish: alone if some finished, else in halves down to one prompt."""
        done = self._session(items, stop)
        failed = [it for it in items if isinstance(done.get(it[0]), str)]
        if not failed or len(items) == 1:
            return done
        if len(failed) < len(items):
            done.update(self._run_safe(failed, stop))
            return done
        mid = len(items) // 2
        done.update(self._run_safe(items[:mid], stop))
        done.update(self._run_safe(items[mid:], stop))
        return done

    def _manager(self):
        """Our manager kept on the model, else a new one. ``init_continuous_batching`` returns whatever manager is
        kept on the model (and re-selects a CB attention): one kept by another engine on the same model has other
        settings, so it is destroyed and ours built (they are told apart by identity; a new one is not warmed up)."""
        import torch

        def init():
            return self.model.init_continuous_batching(generation_config=self.generation_config,
                                                       continuous_batching_config=self.cb_config)

        manager = init()
        if manager is not self._owned and getattr(manager, "warmed_up", False):
            self.model.destroy_cached_continuous_batching_manager()
            manager = init()
        if manager is not self._owned:
            with torch.no_grad():  # not inference_mode: transformers 5.17 updates these tensors in place outside it
                manager.warmup()  # builds the KV cache; captures CUDA graphs / compiles when those are on
            self._owned = manager
        return manager

    def _session(self, items: list[Item], stop: Sequence[str]) -> dict[int, Outcome]:
        import torch

        self._sessions += 1
        by_rid = {f"s{self._sessions}-{i}": (i, ids, cap) for i, ids, cap in items}
        scanner = StopScanner(self.engine.tokenizer, stop)
        stream = bool(scanner.stop) and self.engine.prompt_format == "completion"
        eos = sorted(self.engine.eos_ids) or None
        outcomes: dict[int, Outcome] = {}
        checked: dict[str, int] = {}  # streamed tokens already scanned for stop strings
        pending = set(by_rid)
        manager = self._manager()
        ok = started = False
        try:
            with torch.no_grad():  # 5.24 runs its loop in the caller's inference mode; 5.17 cannot (see _manager)
                manager.start()
            started = True
            for rid, (i, ids, cap) in by_rid.items():
                manager.add_request(ids, request_id=rid, max_new_tokens=cap, streaming=stream, eos_token_id=eos)
            alive = True
            while pending:
                result = manager.get_result(timeout=0.2 if alive else 0.01)
                if result is None:
                    if not alive:
                        break  # the loop has stopped and its queue is drained
                    alive = manager.is_running()
                    continue
                rid = result.request_id
                if rid not in pending:  # a token streamed before its cancellation took effect
                    continue
                i = by_rid[rid][0]
                if result.error is not None:
                    outcomes[i] = f"generation failed: {result.error}"
                    pending.discard(rid)
                    continue
                tokens = result.generated_tokens
                if not result.is_finished() and len(tokens) - checked.get(rid, 0) < STREAM_CHECK_EVERY:
                    continue
                tokens = list(tokens)
                cut = scanner.first(tokens, checked.get(rid, 0))
                checked[rid] = len(tokens)
                if cut is not None:
                    outcomes[i] = tokens[: cut + 1]
                    pending.discard(rid)
                    if not result.is_finished():
                        manager.cancel_request(rid)
                elif result.is_finished():
                    outcomes[i] = tokens
                    pending.discard(rid)
            for rid in pending:
                outcomes[by_rid[rid][0]] = "continuous batching stopped before this request finished"
            ok = not pending and not any(isinstance(v, str) for v in outcomes.values())
        finally:
            if started:
                manager.stop(block=True, keep_for_next_session=ok, hard_stop=not ok)
            if not ok:  # a failed forward pass leaves the manager unusable: the next session builds a new one
                self._discard(manager)
        return outcomes

    def _discard(self, manager) -> None:
        self._owned = None
        try:
            self.model.destroy_cached_continuous_batching_manager()
            manager.destroy()
        except Exception as exc:  # pragma: no cover - best effort cleanup
            log.warning("could not destroy the continuous batching manager: %s", exc)
        _empty_cache()

    def close(self) -> None:
        if self._owned is not None:
            self._discard(self._owned)


def _empty_cache() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
