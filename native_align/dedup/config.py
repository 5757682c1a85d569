"""Settings of the dedup stage."""

from __future__ import annotations

from pydantic import Field

from native_align.config import Section


class DedupConfig(Section):
    enabled: bool = True
    threshold: float = Field(0.8, gt=0.0, le=1.0)
