"""Settings of the report.

The report reads every table that exists and evaluates the rewrite on a *sample* (perplexity and the LLM judge cost
model time per document).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section
from native_align.llm.config import ChatEndpointConfig


class PerplexityEvalConfig(Section):
    """Before/after perplexity under a reference LM (``native_align.lm.perplexity.load_reference_lm``)."""

    enabled: bool = True
    # None: the default reference LM (Gemma 3 270M GGUF when installed); otherwise a local model folder/file.
    model: str | None = None
    sample_size: int = Field(64, ge=1)
    max_tokens: int = Field(512, ge=8)
    batch_size: int = Field(4, ge=1)


class JudgeConfig(ChatEndpointConfig):
    """LLM judge over an OpenAI-compatible endpoint (``base_url`` unset: the judge section is skipped).

    The API key comes from the environment variable named by ``api_key_env``, never from config.
    """

    model: str = "gpt-4o"
    temperature: float | None = 0.0
    max_tokens: int | None = Field(400, ge=16)
    sample_size: int = Field(16, ge=1)
    # Longer documents are cut before judging (cost); the report says how many were cut.
    max_chars: int = Field(6000, ge=100)


class ReportConfig(Section):
    output_dir: str = "work/report"
    # Seed of every sample the report draws (perplexity, judge, toxicity when sampled): reruns compare like with like.
    seed: int = 13
    # "estimated tokens" in the funnel = whitespace words x this factor (no tokenizer is loaded for the funnel).
    tokens_per_word: float = Field(1.0, gt=0)
    # The moderation section scores with the run's `moderation` scorer; a lexicon file here overrides it for the
    # report (None: use the moderation section as it is).
    toxicity_lexicon: str | None = None
    # Moderation runs over every aligned-ok pair up to this many (a hash sample beyond).
    toxicity_max_docs: int = Field(100_000, ge=1)
    # `native-align eval worker`'s JSON: the worker section (base vs trained on held-out pairs); skipped if absent.
    worker_eval: str | None = "work/eval/worker_eval.json"
    # Only rows of this model / prompt version count as "aligned" (None: the latest row per document).
    aligned_model: str | None = None
    aligned_prompt_version: str | None = None
    perplexity: PerplexityEvalConfig = Field(default_factory=PerplexityEvalConfig)
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    title: str = "native-align corpus report"
