"""Settings of the alignment expert (``expert``): the endpoint, the prompt, prices and the budget."""

from __future__ import annotations

from pydantic import Field

from native_align.llm.config import ChatEndpointConfig


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
