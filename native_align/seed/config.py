"""Settings of seed sampling, the expert client and worker training."""

from __future__ import annotations

from native_align.config import Section


class SeedConfig(Section):
    size: int = 32


class ExpertConfig(Section):
    base_url: str | None = None


class TrainConfig(Section):
    base_model: str | None = None
