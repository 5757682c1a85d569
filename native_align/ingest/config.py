"""Settings of the ingest stage."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from native_align.config import Section
from native_align.ingest.web.config import WebConfig


class SourceConfig(Section):
    """One raw corpus: where it is, its format, and which fields hold what.

    ``path`` is a file, a folder (read recursively, hidden ``.``/``_`` files skipped) or a glob, on any filesystem
    Spark can read; ``package://sample`` is the sample corpus shipped inside the package (``package://web_sample/*.gz``
    a glob in the web sample). With ``format: auto`` each file's format comes from its extension
    (.jsonl/.json/.ndjson[.gz|.zst], .parquet, .csv[.gz], .txt, .warc[.gz], .wet[.gz]). WARC/WET files ignore the
    field settings: their fields come from the records (docs/web.md) and ``ingest.web``.
    """

    name: str = Field(min_length=1, pattern=r"^[^|]+$")
    path: str  # a file, a folder or a glob
    format: Literal["auto", "jsonl", "parquet", "csv", "text", "warc", "wet"] = "auto"
    text_field: str = "text"
    id_field: str | None = None
    url_field: str | None = None
    title_field: str | None = None
    date_field: str | None = None
    extra_fields: list[str] = Field(default_factory=list)
    # CSV only: field separator.
    csv_sep: str = ","

    @field_validator("text_field", "id_field", "url_field", "title_field", "date_field")
    @classmethod
    def _no_quotes(cls, v: str | None) -> str | None:
        if v is not None and '"' in v:
            raise ValueError("field names cannot contain '\"'")
        return v


class IngestConfig(Section):
    sources: list[SourceConfig] = Field(default_factory=list)
    # Records whose text is longer than this (UTF-8 bytes) are quarantined, not truncated.
    max_text_bytes: int = Field(2_000_000, ge=1)
    # Raw JSONL lines longer than this are quarantined unparsed (guards the JSON parser's memory).
    max_record_bytes: int = Field(64 * 1024 * 1024, ge=1)
    # How much of a bad record's raw payload the quarantine keeps.
    excerpt_chars: int = Field(500, ge=0)
    # WARC/WET sources: record types, charset decoding, main-text extraction, URL filter (docs/web.md).
    web: WebConfig = Field(default_factory=WebConfig)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, v: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"source names must be unique; repeated: {', '.join(dup)}")
        return v
