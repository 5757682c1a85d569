"""Gopher quality rules (Rae et al. 2021, table A1) with FineWeb-2 ``arb_Arab`` thresholds.

Words are runs of letters/marks/digits in any script, so Arabic words count as alphabetic and punctuation is not
a word (datatrove counts punctuation tokens as non-alphabetic words, which penalises punctuated Arabic).
Line ratios are over non-empty lines: blank lines between paragraphs say nothing about bullets.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from native_align.curate.batch import TextBatch, safe_div
from native_align.curate.signals.base import Rule, SignalFamily

BULLETS = ("•", "-")  # Gopher's; "* " starts every paragraph of some Arabic papers (sabq, aawsat)
ELLIPSES = ("...", "…")


class GopherQuality(SignalFamily):
    min_words: int | None = 50
    max_words: int | None = 100_000
    min_mean_word_length: float | None = 2.0
    max_mean_word_length: float | None = 9.0
    max_hash_ratio: float | None = 0.1  # '#' per word
    max_ellipsis_ratio: float | None = 0.1  # '...' or '…' per word
    max_bullet_lines_ratio: float | None = 0.9
    max_ellipsis_lines_ratio: float | None = 0.3
    min_alpha_word_ratio: float | None = 0.787  # words with at least one letter

    COLUMNS: ClassVar[dict[str, pa.DataType]] = {
        "n_words": pa.int64(), "mean_word_length": pa.float64(), "hash_ratio": pa.float64(),
        "ellipsis_ratio": pa.float64(), "bullet_lines_ratio": pa.float64(), "ellipsis_lines_ratio": pa.float64(),
        "alpha_word_ratio": pa.float64(),
    }

    def compute(self, b: TextBatch) -> dict[str, np.ndarray]:
        n_words = b.n_words
        word_chars = b.word_sum(b.word_len)
        alpha_words = b.word_sum((~b.word_is_numeric).view(np.uint8))
        ellipses = b.count("...") + b.count("…")
        lines = b.lines
        bullet = np.zeros(len(lines.doc), dtype=bool)
        for mark in BULLETS:
            bullet |= pc.starts_with(lines.text, mark).to_numpy(zero_copy_only=False)
        ell = np.zeros(len(lines.doc), dtype=bool)
        for mark in ELLIPSES:
            ell |= pc.ends_with(lines.text, mark).to_numpy(zero_copy_only=False)
        return {
            "n_words": n_words,
            "mean_word_length": safe_div(word_chars, n_words),
            "hash_ratio": safe_div(b.count("#"), n_words),
            "ellipsis_ratio": safe_div(ellipses, n_words),
            "bullet_lines_ratio": safe_div(lines.sum(bullet), lines.count),
            "ellipsis_lines_ratio": safe_div(lines.sum(ell), lines.count),
            "alpha_word_ratio": safe_div(alpha_words, n_words),
        }

    def rules(self) -> list[Rule]:
        return [
            Rule("gopher_too_few_words", "n_words", "min", self.min_words),
            Rule("gopher_too_many_words", "n_words", "max", self.max_words),
            Rule("gopher_mean_word_length_low", "mean_word_length", "min", self.min_mean_word_length),
            Rule("gopher_mean_word_length_high", "mean_word_length", "max", self.max_mean_word_length),
            Rule("gopher_hash_ratio", "hash_ratio", "max", self.max_hash_ratio),
            Rule("gopher_ellipsis_ratio", "ellipsis_ratio", "max", self.max_ellipsis_ratio),
            Rule("gopher_bullet_lines", "bullet_lines_ratio", "max", self.max_bullet_lines_ratio),
            Rule("gopher_ellipsis_lines", "ellipsis_lines_ratio", "max", self.max_ellipsis_lines_ratio),
            Rule("gopher_alpha_words", "alpha_word_ratio", "min", self.min_alpha_word_ratio),
        ]
