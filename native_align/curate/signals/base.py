"""What a signal family is: a config section whose fields are its thresholds, that computes columns and rules.

A family computes its columns for a whole :class:`~native_align.curate.batch.TextBatch` and names its rules; the
stage turns rules into ``keep``/``reject_reasons`` and a ``quality_score``. A threshold set to ``None`` disables
its rule (the column is still computed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pyarrow as pa

from native_align.config import Section
from native_align.curate.batch import TextBatch


@dataclass(frozen=True)
class Rule:
    """``column`` must be >= (``min``) or <= (``max``) ``threshold``; otherwise the doc is rejected as ``name``."""

    name: str
    column: str
    bound: Literal["min", "max"]
    threshold: float | None

    def fails(self, values: np.ndarray) -> np.ndarray:
        if self.threshold is None:
            return np.zeros(len(values), dtype=bool)
        return values < self.threshold if self.bound == "min" else values > self.threshold

    def headroom(self, values: np.ndarray) -> np.ndarray:
        """1 = far on the good side, 0 = at or past the threshold (``max``: 1 - v/t; ``min``: 1 - t/v)."""
        v = np.asarray(values, dtype=np.float64)
        t = float(self.threshold)
        if self.bound == "max":
            if t <= 0:
                return (v <= t).astype(np.float64)
            h = 1.0 - v / t
        else:
            if t <= 0:
                return (v >= t).astype(np.float64)
            h = 1.0 - np.divide(t, v, out=np.full_like(v, np.inf), where=v > 0)
        return np.clip(h, 0.0, 1.0)


class SignalFamily(Section):
    """Base of every family. Subclasses declare ``COLUMNS`` and implement :meth:`compute` and :meth:`rules`."""

    COLUMNS: ClassVar[dict[str, pa.DataType]] = {}

    def compute(self, batch: TextBatch) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def rules(self) -> list[Rule]:
        raise NotImplementedError
