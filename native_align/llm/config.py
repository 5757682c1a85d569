"""Settings of an OpenAI-compatible chat endpoint, shared by the expert, the judge and the HTTP rewrite engine.

Stage sections (``ExpertConfig`` in annotate/config.py, the judge's section in report/config.py, ...) subclass
:class:`ChatEndpointConfig` so that every caller of the same client spells its options the same way.

The API key is never a setting: ``api_key_env`` names the environment variable that holds it, and the client reads
that variable at request time, so the key never lands in a config dump, a table, a log line or a report. For the
same reason ``extra_headers`` may not carry credentials (validated).

Endpoint variants (examples in docs/seed.md): OpenAI, vLLM and llama.cpp servers use ``url_style: openai``
(``{base_url}/chat/completions``, ``Authorization: Bearer <key>``); Azure OpenAI uses ``url_style: azure``
(``{base_url}/openai/deployments/{deployment}/chat/completions?api-version=...``, header ``api-key: <key>``).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Literal

from pydantic import Field, model_validator

from native_align.config import Section

# Header names that carry credentials: only ever filled from the env var named by api_key_env.
CREDENTIAL_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "proxy-authorization",
                                "ocp-apim-subscription-key"})
_PATH_LIKE = re.compile(r"^(?:/|~|\.{1,2}[/\\]|[A-Za-z]:[/\\])|\.(?:gguf|bin|safetensors|pt|ggml)$", re.I)


def looks_like_path(name: str) -> bool:
    """A server file path (``/models/x.gguf``), not a model name; HF ids (``Qwen/Qwen2.5-7B``) are names."""
    return bool(_PATH_LIKE.search(name.strip()))


def clean_model_id(name: str) -> str:
    """The name tables store: a file path becomes its file stem (``/m/gemma-3-270m.Q4.gguf`` -> ``gemma-3-270m.Q4``)."""
    if not looks_like_path(name):
        return name
    path = PureWindowsPath(name) if "\\" in name else PurePosixPath(name)
    stem = path.name
    for ext in (".gguf", ".bin", ".safetensors", ".pt", ".ggml"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
    return stem or name


class ChatEndpointConfig(Section):
    """Where and how fast to call an OpenAI-compatible chat-completions endpoint."""

    # e.g. https://api.openai.com/v1, http://127.0.0.1:8000/v1, or (azure) https://RESOURCE.openai.azure.com ;
    # None: the endpoint is not configured.
    base_url: str | None = None
    # The name sent in the request body (vLLM: the served model name; azure: ignored, the deployment decides).
    model: str = "gpt-4o"
    # The name stored in tables and reports (seed_pairs.model); None: `model`. A file path is never stored: it is
    # cut to its file stem (llama.cpp servers report their GGUF path as the model).
    model_alias: str | None = None
    # NAME of the environment variable holding the key (never the key itself). Unset variable: no auth header.
    api_key_env: str = "OPENAI_API_KEY"
    # openai: {base_url}/chat/completions ; azure: {base_url}/openai/deployments/{deployment}/chat/completions
    url_style: Literal["openai", "azure"] = "openai"
    # azure: the deployment name (None: `model`); the query parameter api-version (required for azure).
    deployment: str | None = None
    api_version: str | None = None
    # None: "Authorization" (url_style openai) or "api-key" (azure). The key's env var fills it.
    auth_header: str | None = None
    # None: "Bearer" when the header is Authorization, else the bare key ("" forces the bare key).
    auth_scheme: str | None = None
    # Sent with every request (no credentials here: use api_key_env), e.g. {"OpenAI-Organization": "org-..."}.
    extra_headers: dict[str, str] = Field(default_factory=dict)
    # Added to the URL's query string, e.g. {"api-version": "2024-10-21"} (api_version is the short form).
    query_params: dict[str, str] = Field(default_factory=dict)
    # system: send system messages as they are; fold: prepend them to the first user turn, for chat templates
    # without a system role (Gemma's and others' templates drop it; llama.cpp says so only in its debug log).
    system_prompt: Literal["system", "fold"] = "system"
    # Upper bound of requests in flight. The client starts at `initial_concurrency` and adapts (AIMD: grows on
    # success, halves on timeouts / 429 / 503, shrinks when replies show queueing) so that a one-slot server
    # never has requests waiting in its queue while our timeout runs.
    max_concurrency: int = Field(8, ge=1)
    initial_concurrency: int = Field(1, ge=1)
    adaptive_concurrency: bool = True
    # Queueing signal: a reply whose latency per unit of work exceeds this times the fastest recent one, sent
    # while other requests were in flight. None: only timeouts / 429 / 503 shrink the limit.
    queue_factor: float | None = Field(1.5, gt=1)
    # Client-side rate limits (None: unlimited); the server's 429 + Retry-After is honoured in any case.
    requests_per_minute: float | None = Field(None, gt=0)
    tokens_per_minute: float | None = Field(None, gt=0)
    # Total time of one attempt from the moment it is sent (waiting for a free concurrency slot is not counted).
    timeout_s: float = Field(120.0, gt=0)
    # TCP connect (+ TLS) only: a server that is down or not accepting fails fast instead of after timeout_s.
    connect_timeout_s: float = Field(10.0, gt=0)
    max_attempts: int = Field(6, ge=1)
    backoff_base_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(60.0, ge=0)
    # Retry-After values above this are clamped (a misbehaving server must not park a run for an hour).
    max_retry_after_s: float = Field(120.0, ge=0)
    temperature: float | None = 0.2
    max_tokens: int | None = Field(4096, ge=1)

    @model_validator(mode="after")
    def _check_endpoint(self) -> "ChatEndpointConfig":
        leaked = sorted(h for h in self.extra_headers if h.strip().lower() in CREDENTIAL_HEADERS)
        if leaked:
            raise ValueError(f"extra_headers {leaked} would put a credential into config: set the key in the "
                             f"environment variable named by api_key_env (and auth_header for its header name)")
        if self.url_style == "azure" and not (self.api_version or self.query_params.get("api-version")):
            raise ValueError("url_style azure needs api_version (the api-version query parameter, e.g. 2024-10-21)")
        if self.initial_concurrency > self.max_concurrency:
            raise ValueError(f"initial_concurrency {self.initial_concurrency} > max_concurrency "
                             f"{self.max_concurrency}")
        return self

    @property
    def model_id(self) -> str:
        """The model name stored in tables: ``model_alias`` or ``model``, never a file path."""
        return clean_model_id(self.model_alias or self.model)
