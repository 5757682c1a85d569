"""C4 rules (Raffel et al. 2020), made for Arabic: Arabic punctuation ends lines and sentences.

C4 keeps only lines ending in terminal punctuation, then drops pages with too few sentences. With Latin-only
punctuation and an English sentence splitter that rule drops ~13k edited SaudiNewsNet articles (docs/curate.md). Here
``، ؛ ؟`` count as terminal, sentences end at ``. ! ? ؟ ؛`` followed by a space, and a line is judged by its
sentences: whole articles are often one line (paragraphs flattened) whose only unterminated piece is a footer
such as "رابط الخبر بصحيفة ...: <title>"; C4's sentence mode (``split_paragraph=False``) would keep their
sentences too. Columns:
- ``no_terminal_punct_lines_ratio``: non-empty lines whose end is not terminal punctuation (closing quotes and
  brackets after it allowed) / non-empty lines (informational by default);
- ``c4_sentences``: terminated sentences in lines of >= 3 words that mention neither javascript nor a policy;
- ``has_lorem_ipsum``; ``has_curly_bracket``: a ``{`` that does not open Arabic text (Arabic papers quote with
  ``{...}``; C4's rule is about code); ``javascript_lines_ratio``, ``policy_lines_ratio``.
"""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from native_align.curate.batch import TextBatch, safe_div
from native_align.curate.signals.base import Rule, SignalFamily

TERMINAL = ".!?؟،؛۔"
CLOSERS = "\"'»”’)]›"
SENTENCE_MARKS = (". ", "! ", "? ", "؟ ", "؛ ", "۔ ")
_SENTENCE_MARK_RE = "[" + re.escape("".join(m[0] for m in SENTENCE_MARKS)) + "] "
POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies",
          "سياسة الخصوصية", "شروط الاستخدام", "ملفات تعريف الارتباط")


def ends_with_terminal(lines: pa.Array, terminal: str = TERMINAL, closers: str = CLOSERS) -> np.ndarray:
    """Line ends with terminal punctuation, possibly followed by closing quotes/brackets (not an ellipsis). One
    ``ends_with`` per terminal character: a suffix that is a whole character's UTF-8 is the last character (10x
    cheaper than slicing the last character off every line)."""
    stripped = pc.utf8_rtrim(lines, characters=closers)
    ok = np.zeros(len(lines), dtype=bool)
    for ch in sorted(set(terminal)):
        ok |= pc.ends_with(stripped, ch).to_numpy(zero_copy_only=False)
    ellipsis = (pc.ends_with(stripped, "...").to_numpy(zero_copy_only=False)
                | pc.ends_with(stripped, "…").to_numpy(zero_copy_only=False))
    return ok & ~ellipsis


def inner_sentence_ends(lines: pa.Array) -> np.ndarray:
    """Sentence marks followed by a space inside each line (decimal points and "Agar.io" are not marks)."""
    return pc.count_substring_regex(lines, _SENTENCE_MARK_RE).to_numpy().astype(np.int64)


def code_braces(b: TextBatch) -> np.ndarray:
    """Per text, ``{`` not opening Arabic text (``{الشرق الأوسط}`` is a quotation in Arabic newspapers)."""
    total = b.count("{")
    has = total > 0
    if has.any():
        quoting = pc.count_substring_regex(b.arrow.filter(pa.array(has)), r"\{\s*\p{Arabic}").to_numpy()
        total[has] -= quoting
    return total


def has_words(lines: pa.Array, n: int) -> np.ndarray:
    """Per line: at least ``n`` whitespace-separated tokens (C4's ``len(line.split()) >= n``)? Splitting stops after
    ``n - 1`` separators, so a long line costs no more than a short one."""
    if n <= 0:
        return np.ones(len(lines), dtype=bool)
    parts = pc.utf8_split_whitespace(lines, max_splits=n - 1)
    return pc.list_value_length(parts).to_numpy() >= n


class C4Quality(SignalFamily):
    # FineWeb-2 does not apply C4's rules ("we do not apply the C4 filters"): by default the columns are
    # informational. C4's own values, to turn them on: min_sentences 1 (or 3), reject_* true.
    min_sentences: int | None = None
    max_no_terminal_punct_lines_ratio: float | None = None  # informational; lines, not pages, in C4
    reject_lorem_ipsum: bool = False
    reject_curly_bracket: bool = False
    min_words_per_line: int = 3
    terminal_punctuation: str = TERMINAL
    policy_phrases: list[str] = Field(default_factory=lambda: list(POLICY))

    COLUMNS: ClassVar[dict[str, pa.DataType]] = {
        "no_terminal_punct_lines_ratio": pa.float64(), "c4_sentences": pa.int64(),
        "has_lorem_ipsum": pa.bool_(), "has_curly_bracket": pa.bool_(),
        "javascript_lines_ratio": pa.float64(), "policy_lines_ratio": pa.float64(),
    }

    def compute(self, b: TextBatch) -> dict[str, np.ndarray]:
        lines = b.lines
        term = b.memo(("line_terminal", self.terminal_punctuation),
                      lambda: ends_with_terminal(lines.text, self.terminal_punctuation))
        js, policy, lorem_lines = lines.containing_each(["javascript"], self.policy_phrases, ["lorem ipsum"])
        kept = has_words(lines.text, self.min_words_per_line) & ~js & ~policy
        sentences = b.memo("line_inner_sentence_ends", lambda: inner_sentence_ends(lines.text)) + term
        lorem = np.zeros(b.n, dtype=bool)
        lorem[lines.doc[lorem_lines]] = True
        return {
            "no_terminal_punct_lines_ratio": safe_div(lines.sum(~term), lines.count),
            "c4_sentences": np.rint(lines.sum(kept, sentences)).astype(np.int64),
            "has_lorem_ipsum": lorem,
            "has_curly_bracket": code_braces(b) > 0,
            "javascript_lines_ratio": safe_div(lines.sum(js), lines.count),
            "policy_lines_ratio": safe_div(lines.sum(policy), lines.count),
        }

    def rules(self) -> list[Rule]:
        return [
            Rule("c4_too_few_sentences", "c4_sentences", "min", self.min_sentences),
            Rule("c4_no_terminal_punct", "no_terminal_punct_lines_ratio", "max",
                 self.max_no_terminal_punct_lines_ratio),
            Rule("c4_lorem_ipsum", "has_lorem_ipsum", "max", 0 if self.reject_lorem_ipsum else None),
            Rule("c4_curly_bracket", "has_curly_bracket", "max", 0 if self.reject_curly_bracket else None),
        ]
