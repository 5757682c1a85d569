"""Ingest raw corpora (JSONL/.gz/.zst, Parquet, CSV, text folders) into the `documents` table; bad records to `quarantine`."""
