"""Settings of the ingest stage."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section


class SourceConfig(Section):
    """One raw corpus: where it is, its format, and which fields hold what."""

    name: str
    path: str  # a file, a folder or a glob
    format: Literal["auto", "jsonl", "parquet", "csv", "text"] = "auto"
    text_field: str = "text"
    id_field: str | None = None
    url_field: str | None = None
    title_field: str | None = None
    date_field: str | None = None
    extra_fields: list[str] = Field(default_factory=list)


class IngestConfig(Section):
    sources: list[SourceConfig] = Field(default_factory=list)
    # Records whose text is longer than this (UTF-8 bytes) are quarantined, not truncated.
    max_text_bytes: int = Field(2_000_000, ge=1)
    # How much of a bad record's raw payload the quarantine keeps.
    excerpt_chars: int = Field(500, ge=0)
