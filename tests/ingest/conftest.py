"""Tiny corpora written into tmp_path, one per format, and a helper to ingest them through the real stage."""

from __future__ import annotations

import gzip
import json

import pytest


@pytest.fixture
def write_jsonl():
    def write(path, lines: list[str | bytes], compress: str | None = None):
        data = b"".join((ln if isinstance(ln, bytes) else ln.encode("utf-8")) + b"\n" for ln in lines)
        path.parent.mkdir(parents=True, exist_ok=True)
        if compress == "gz":
            data = gzip.compress(data, mtime=0)
        elif compress == "zst":
            import zstandard

            data = zstandard.ZstdCompressor().compress(data)
        path.write_bytes(data)
        return path

    return write


def rec(i: int, text="نص عربي قصير للاختبار", **extra) -> str:
    return json.dumps({"id": f"d{i}", "text": text, **extra}, ensure_ascii=False)
