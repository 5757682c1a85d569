"""OpenAI-compatible HTTP engine: the project's shared :class:`~native_align.llm.client.ChatClient` as an Engine.

Why a wrapper and not a second client: retries (backoff + jitter on 429/5xx/timeouts/malformed bodies), the
concurrency limit, rate limits, token accounting and key handling live in one place (``native_align/llm``) and the
expert, the judge and this engine behave the same. Here we only adapt shapes: prompts in, one Generation out per
prompt, a failed request becoming ``Generation.error`` (the document is then kept with status ``error``).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

from native_align.rewrite.engines.base import Generation, Prompt, PromptFormat, budget


class OpenAIEngine:
    name = "openai"

    def __init__(self, client, *, model_id: str | None = None, chars_per_token: float = 3.0,
                 context_length: int = 16384, max_tokens: int | None = None):
        self.client = client
        # the configured name (alias or model), never the server's file path (ChatClient.model_id)
        self.model_id = model_id or getattr(client, "model_id", client.model)
        self.chars_per_token = chars_per_token
        self._context_length = context_length
        self.max_tokens = max_tokens or client.max_tokens or 4096

    @classmethod
    def from_config(cls, cfg: Any, model_id: str | None = None) -> "OpenAIEngine":
        from native_align.llm.client import ChatClient

        return cls(ChatClient.from_config(cfg), model_id=model_id, chars_per_token=cfg.chars_per_token,
                   context_length=cfg.context_length, max_tokens=cfg.max_tokens)

    @property
    def prompt_format(self) -> PromptFormat:
        return "chat"

    @property
    def context_length(self) -> int:
        return self._context_length

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """An estimate (no tokenizer for a remote model): used only to cut long documents into pieces."""
        return [max(1, math.ceil(len(t) / self.chars_per_token)) for t in texts]

    def max_new_tokens_for(self, input_tokens: int) -> int:
        return budget(input_tokens, 1.5, 64, 64, self.max_tokens)

    def generate(self, prompts: Sequence[Prompt], max_new_tokens: Sequence[int] | None = None,
                 stop: Sequence[str] = ()) -> list[Generation]:
        # Chat models need no stop strings (they end their turn); the endpoint's max_tokens caps every reply.
        requests = [[{"role": "user", "content": p}] if isinstance(p, str) else [dict(m) for m in p] for p in prompts]
        results = self.client.complete_many(requests)
        out = []
        for res in results:
            if res.ok:
                out.append(Generation(text=res.text or "", prompt_tokens=res.prompt_tokens,
                                      completion_tokens=res.completion_tokens, finish_reason=res.finish_reason))
            else:
                out.append(Generation(text="", prompt_tokens=res.prompt_tokens, completion_tokens=0,
                                      finish_reason="error", error=f"{res.error} (attempts={res.attempts})"))
        return out
