"""Settings of an OpenAI-compatible chat endpoint, shared by the expert, the judge and the HTTP rewrite engine.

Stage sections (``ExpertConfig`` in seed/config.py, the judge's section in report/config.py, ...) subclass
:class:`ChatEndpointConfig` so that every caller of the same client spells its options the same way.

The API key is never a setting: ``api_key_env`` names the environment variable that holds it, and the client reads
that variable at request time, so the key never lands in a config dump, a table, a log line or a report.
"""

from __future__ import annotations

from pydantic import Field

from native_align.config import Section


class ChatEndpointConfig(Section):
    """Where and how fast to call an OpenAI-compatible ``/v1/chat/completions`` endpoint."""

    # e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1 ; None: the endpoint is not configured.
    base_url: str | None = None
    model: str = "gpt-4o"
    # NAME of the environment variable holding the key (never the key itself). Unset variable: no auth header.
    api_key_env: str = "OPENAI_API_KEY"
    max_concurrency: int = Field(8, ge=1)
    # Client-side rate limits (None: unlimited); the server's 429 + Retry-After is honoured in any case.
    requests_per_minute: float | None = Field(None, gt=0)
    tokens_per_minute: float | None = Field(None, gt=0)
    timeout_s: float = Field(120.0, gt=0)
    max_attempts: int = Field(6, ge=1)
    backoff_base_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(60.0, ge=0)
    # Retry-After values above this are clamped (a misbehaving server must not park a run for an hour).
    max_retry_after_s: float = Field(120.0, ge=0)
    temperature: float | None = 0.2
    max_tokens: int | None = Field(4096, ge=1)
