"""Settings of the export: the training mix of original and aligned text, written as shards."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section


class ExportConfig(Section):
    # A local path or any URI native_align.storage resolves (file://, s3a://, abfss://, gs://, dbfs:/Volumes/...):
    # the executors write the shards there directly, so every node must be able to reach it.
    output_dir: str = "work/export"
    # original: every curated doc as is; aligned: the rewrite where status is ok (else the original, counted);
    # hybrid: per document, the rewrite with probability `aligned_ratio` (hash of doc_id and seed), else original.
    mix: Literal["original", "aligned", "hybrid"] = "hybrid"
    aligned_ratio: float = Field(0.5, ge=0.0, le=1.0)
    seed: int = 0
    format: Literal["jsonl.gz", "parquet"] = "jsonl.gz"
    # Target shard size in bytes of the written file (JSONL.gz: compressed bytes; Parquet: file bytes).
    shard_bytes: int = Field(64 * 1024 * 1024, ge=1024)
    # Partitions written in parallel, each into its own shards. None: sized from the mix's bytes so that each
    # partition holds about one shard (export/sizing.py). The partition count is part of what makes shards
    # byte-identical between runs: pin it to keep the same files while the tables grow.
    partitions: int | None = Field(None, ge=1)
    # Rows of `curated` compressed on the driver to measure the output format's compression ratio (sizing only).
    size_sample_docs: int = Field(1000, ge=1)
    # Tokenizer for the manifest's token totals: a local folder / tokenizer.json / GGUF file, or None for a
    # whitespace-word estimate (labelled as such in the manifest).
    tokenizer: str | None = None
    # Same filter as the report's: which aligned rows count.
    aligned_model: str | None = None
    aligned_prompt_version: str | None = None
    # Extra columns of `curated` carried into each record (doc_id, text and variant are always written).
    fields: list[str] = Field(default_factory=lambda: ["source", "url", "title", "date"])
