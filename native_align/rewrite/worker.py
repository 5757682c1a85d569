"""The alignment worker: a callable class Ray Data runs in an actor pool (one engine per actor).

Per batch: split each document into context-sized pieces, rewrite all pieces in one engine call (the engine sorts
them by length and batches), clean the outputs, run the guardrails per piece, and emit one row per document with
status ok / rejected / error. Anything that goes wrong with one document (splitting, rendering, generation) turns
into that document's ``error`` row; the batch and its other documents carry on. Only a broken engine (or a crashed
process) fails a batch, and then Ray restarts the actor and retries the batch.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from native_align.rewrite.config import RewriteConfig
from native_align.rewrite.engines import make_engine, model_id
from native_align.rewrite.engines.base import Generation
from native_align.rewrite.prompting import resolve_prompt
from native_align.alignment.guardrails import check_rewrites
from native_align.moderation.config import ModerationConfig
from native_align.text.lid import default_scorer
from native_align.rewrite.split import join_pieces, split_document

log = logging.getLogger(__name__)


def _actor_logging() -> None:
    """Ray forwards actor stderr to the driver, but an actor process has no logging configured: give this
    module's logger a handler so the per-batch progress lines reach the driver's console."""
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


@dataclass
class DocResult:
    doc_id: str
    original_text: str
    rewrite: str | None = None
    status: str = "error"
    reasons: list[str] = field(default_factory=list)
    pieces: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None


class RewriteWorker:
    """``ds.map_batches(RewriteWorker, fn_constructor_kwargs={"config": cfg.model_dump(), "moderation": ...})``.

    ``moderation`` is the run's ``moderation`` section (which scorer the guardrails' ``moderation_missed`` uses);
    None: the default (the packaged lexicon)."""

    def __init__(self, config: dict[str, Any] | RewriteConfig, moderation: dict[str, Any] | None = None):
        _actor_logging()
        self.cfg = config if isinstance(config, RewriteConfig) else RewriteConfig.model_validate(config)
        self.moderation = ModerationConfig.model_validate(moderation) if moderation is not None else None
        resolved = resolve_prompt(self.cfg)
        self.prompt, self.few_shot = resolved.template, resolved.few_shot
        self.engine = make_engine(self.cfg)
        self.model = model_id(self.cfg)
        self.lid = default_scorer(tuple(self.cfg.guardrails.arabic_labels))
        self.max_piece_tokens = self.cfg.max_piece_tokens or self._piece_budget()
        self.batches = 0
        log.info("rewrite worker pid=%s: engine=%s model=%s prompt=%s format=%s piece≤%d tokens", os.getpid(),
                 self.engine.name, self.model, self.prompt.version, self.engine.prompt_format, self.max_piece_tokens)

    # -- prompts ------------------------------------------------------------------------------------------------
    def build_prompt(self, text: str):
        if self.engine.prompt_format == "chat":
            return self.prompt.messages(text, few_shot=self.few_shot)
        return self.prompt.completion_prompt(text)

    def _prompt_overhead(self) -> int:
        empty = self.build_prompt("")
        flat = empty if isinstance(empty, str) else "\n".join(m["content"] for m in empty)
        turns = 1 if isinstance(empty, str) else len(empty)
        return self.engine.count_tokens([flat])[0] + 8 * turns + 16

    def _piece_budget(self) -> int:
        """Largest piece p with overhead + p + max_new_tokens(p) ≤ context (binary search: any engine)."""
        room = self.engine.context_length - self._prompt_overhead()
        lo, hi = 16, max(16, room)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if mid + self.engine.max_new_tokens_for(mid) <= room:
                lo = mid
            else:
                hi = mid - 1
        return lo

    # -- one batch ----------------------------------------------------------------------------------------------
    def __call__(self, batch):
        """pyarrow.Table (doc_id, text) in -> pyarrow.Table of RESULT columns out."""
        t0 = time.perf_counter()
        ids = [str(x) for x in batch.column("doc_id").to_pylist()]
        texts = [x if isinstance(x, str) else "" for x in batch.column("text").to_pylist()]
        results = self.rewrite(ids, texts)
        self.batches += 1
        counts = {s: sum(1 for r in results if r.status == s) for s in ("ok", "rejected", "error")}
        log.info("rewrite worker pid=%s: batch %d, %d docs in %.1fs %s", os.getpid(), self.batches, len(results),
                 time.perf_counter() - t0, counts)
        return self.to_arrow(results)

    def rewrite(self, doc_ids: Sequence[str], texts: Sequence[str]) -> list[DocResult]:
        results = [DocResult(doc_id=d, original_text=t) for d, t in zip(doc_ids, texts)]
        # 1. split (per document: a failure is that document's error)
        plan: list[tuple[int, str]] = []  # (doc index, piece)
        for i, res in enumerate(results):
            try:
                if not res.original_text.strip():
                    res.reasons, res.error = ["empty_input"], "document text is empty"
                    continue
                pieces = split_document(res.original_text, self.max_piece_tokens, self.engine.count_tokens)
                res.pieces = len(pieces)
                plan.extend((i, p) for p in pieces)
            except Exception as exc:
                res.reasons, res.error = ["split_error"], f"{type(exc).__name__}: {exc}"
        if not plan:
            return results
        # 2. generate every piece of the batch in one engine call
        gens = self._generate([p for _, p in plan])
        # 3. guardrails per piece, then fold pieces back into documents
        outputs = [self.prompt.clean_output(g.text) if g.error is None else "" for g in gens]
        checks = check_rewrites([p for _, p in plan], outputs, self.cfg.guardrails, self.lid,
                                [g.finish_reason for g in gens], prompt=self.prompt, moderation=self.moderation)
        by_doc: dict[int, list[int]] = {}
        for k, (i, _) in enumerate(plan):
            by_doc.setdefault(i, []).append(k)
        for i, ks in by_doc.items():
            res = results[i]
            res.prompt_tokens = sum(gens[k].prompt_tokens for k in ks)
            res.completion_tokens = sum(gens[k].completion_tokens for k in ks)
            errors = [gens[k].error for k in ks if gens[k].error]
            if errors:
                res.status, res.reasons, res.error = "error", ["engine_error"], errors[0][:500]
                continue
            res.rewrite = join_pieces([outputs[k] for k in ks])
            reasons = sorted({r for k in ks for r in checks[k].reasons})
            res.status, res.reasons = ("rejected", reasons) if reasons else ("ok", [])
        return results

    def _generate(self, prompts_text: list[str]) -> list[Generation]:
        prompts = []
        caps = []
        n_tokens = self.engine.count_tokens(prompts_text)
        for text, n in zip(prompts_text, n_tokens):
            prompts.append(self.build_prompt(text))
            caps.append(self.engine.max_new_tokens_for(n))
        try:
            gens = self.engine.generate(prompts, caps, stop=self.prompt.stop)
            if len(gens) != len(prompts):
                raise RuntimeError(f"engine returned {len(gens)} generations for {len(prompts)} prompts")
            return gens
        except Exception as exc:
            # The engine failed as a whole on this batch: retry piece by piece so only the guilty one errors.
            log.warning("engine failed on a batch of %d (%s); retrying one by one", len(prompts), exc)
            out = []
            for p, c in zip(prompts, caps):
                try:
                    out.append(self.engine.generate([p], [c], stop=self.prompt.stop)[0])
                except Exception as one:
                    out.append(Generation.failed(f"{type(one).__name__}: {one}"))
            return out

    def to_arrow(self, results: list[DocResult]):
        import pyarrow as pa

        from native_align.rewrite.schema import result_arrow_schema

        cols = {
            "doc_id": [r.doc_id for r in results], "model": [self.model] * len(results),
            "prompt_version": [self.prompt.version] * len(results), "engine": [self.engine.name] * len(results),
            "original_text": [r.original_text for r in results], "rewrite": [r.rewrite for r in results],
            "status": [r.status for r in results], "reasons": [r.reasons for r in results],
            "pieces": [r.pieces for r in results], "prompt_tokens": [r.prompt_tokens for r in results],
            "completion_tokens": [r.completion_tokens for r in results], "error": [r.error for r in results],
        }
        return pa.table(cols, schema=result_arrow_schema())
