"""Which prompt a rewrite run uses: a trained worker's own (from its folder), else the configured template.

A worker is prompted exactly as it was trained (``native_align.alignment.worker_record``); for any other model the
settings decide (``rewrite.prompt``, default ``polish_v1``, with its worked examples as chat turns unless
``rewrite.chat_few_shot`` is false). Spark (the work set's prompt version) and every Ray actor call this same
function, so they can never disagree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from native_align.alignment.prompts import PromptTemplate, load_prompt, parse_prompt
from native_align.alignment.worker_record import WorkerRecord, check_consistent, prompt_text, read_record
from native_align.rewrite.config import RewriteConfig

DEFAULT_PROMPT = "polish_v1"


@dataclass(frozen=True)
class RewritePrompt:
    template: PromptTemplate
    few_shot: bool
    record: WorkerRecord | None = None


def worker_folder(cfg: RewriteConfig) -> str | None:
    """The local model folder of a transformers engine (where a worker record would be), else None."""
    model = cfg.transformers.model
    if cfg.engine != "transformers" or not model or cfg.transformers.gguf_file:
        return None
    return model if os.path.isdir(model) else None


def resolve_prompt(cfg: RewriteConfig) -> RewritePrompt:
    folder = worker_folder(cfg)
    record = read_record(folder)
    if record is not None:
        template = parse_prompt(prompt_text(folder), source=os.path.join(folder, "prompt.yaml"))
        named = load_prompt(cfg.prompt) if cfg.prompt else None
        check_consistent(record, folder, prompt=named, few_shot=cfg.chat_few_shot,
                         prompt_format=cfg.transformers.prompt_format)
        return RewritePrompt(template, record.few_shot, record)
    few_shot = True if cfg.chat_few_shot is None else cfg.chat_few_shot
    return RewritePrompt(load_prompt(cfg.prompt or DEFAULT_PROMPT), few_shot)
