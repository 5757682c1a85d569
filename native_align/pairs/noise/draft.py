"""The text being made noisy, with the spans noise already occupies, and where new noise may go.

Why spans: every injection is recorded by its exact string, so a later family must neither damage nor split an
earlier one (a tatweel inside an ad line would make the recorded ad vanish from the source). Insertions and
replacements shift the spans; new noise goes only where it overlaps none.

Why the digit rule: an inserted phrase must never touch a digit of the chunk (a phone number followed by "2025"
reads as one longer number), so the chunk's numbers stay exactly as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TERMINALS = ".!?؟…۔"
# A sentence end: terminal marks plus closing quotes/brackets, followed by whitespace or the end of the text
# (so the dot of "3.5" is not one).
SENTENCE_END = re.compile(r"[.!?؟…۔]+[\"'»”)\]]*(?=\s|$)")
ARABIC_WORD = re.compile(r"[\u0621-\u063a\u0641-\u064a]{3,}")
TOKEN = re.compile(r"\S+")


def is_arabic_letter(ch: str) -> bool:
    return "\u0621" <= ch <= "\u063a" or "\u0641" <= ch <= "\u064a" or "\u0671" <= ch <= "\u06d3"


def is_latin_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int  # after the terminal marks (or the line end when there are none)
    text: str
    terminal_start: int  # where the terminal marks begin (== end when there are none)
    line_end: bool  # nothing but spaces follows on its line


def sentences(text: str) -> list[Sentence]:
    """Sentences line by line; a line's unterminated remainder (a title, a last clause) counts as one."""
    out: list[Sentence] = []
    offset = 0
    for line in text.split("\n"):
        pos = 0
        for m in SENTENCE_END.finditer(line):
            out.extend(_sentence(line, offset, pos, m.start(), m.end()))
            pos = m.end()
        out.extend(_sentence(line, offset, pos, len(line), len(line)))
        offset += len(line) + 1
    return out


def _sentence(line: str, offset: int, start: int, terminal_start: int, end: int) -> list[Sentence]:
    while start < terminal_start and line[start].isspace():
        start += 1
    body_end = terminal_start
    while body_end > start and line[body_end - 1].isspace():
        body_end -= 1
    if body_end <= start:
        return []
    if terminal_start == end:  # unterminated: end at the last non-space
        terminal_start = end = body_end
    return [Sentence(offset + start, offset + end, line[start:end], offset + terminal_start,
                     not line[end:].strip())]


def _prev_char(text: str, pos: int) -> str:
    i = pos - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return text[i] if i >= 0 else ""


def _next_char(text: str, pos: int) -> str:
    i = pos
    while i < len(text) and text[i] in " \t\u00a0":
        i += 1
    return text[i] if i < len(text) else ""


@dataclass
class Draft:
    """Text plus the half-open spans ``(start, end)`` that earlier noise occupies."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)

    def copy(self) -> Draft:
        return Draft(self.text, list(self.spans))

    def is_free(self, start: int, end: int) -> bool:
        """A region overlaps no span; a point (start == end) may touch a span's edge but not sit inside it."""
        if start == end:
            return all(not (s < start < e) for s, e in self.spans)
        return all(end <= s or e <= start for s, e in self.spans)

    def protect(self, start: int, end: int) -> None:
        """Keep later noise off ``text[start:end]`` without changing it."""
        self.spans.append((start, end))

    def insert(self, pos: int, inserted: str) -> None:
        self.replace(pos, pos, inserted)

    def replace(self, start: int, end: int, new: str) -> None:
        """Put ``new`` over ``text[start:end]`` and protect it; later spans move by the change in length."""
        delta = len(new) - (end - start)
        self.text = self.text[:start] + new + self.text[end:]
        self.spans = [(s + delta, e + delta) if s >= end else (s, e) for s, e in self.spans]
        self.spans.append((start, start + len(new)))

    # -- where noise may go ---------------------------------------------------------------------------------
    def line_slots(self) -> list[int]:
        """0 (before the first line), len(text) (after the last) and every free newline between lines."""
        inner = [i for i, ch in enumerate(self.text) if ch == "\n" and self.is_free(i, i + 1)]
        return sorted({0, len(self.text), *inner})

    def insert_line(self, slot: int, line: str) -> None:
        """``line`` on a line of its own at a :meth:`line_slots` position."""
        if slot == 0 and self.text:
            self.text = line + "\n" + self.text
            self.spans = [(s + len(line) + 1, e + len(line) + 1) for s, e in self.spans]
            self.spans.append((0, len(line)))
        else:
            self.replace(slot, slot, "\n" + line)
            s, e = self.spans.pop()
            self.spans.append((s + 1, e))

    def sentence_end_slots(self, digits_ok: bool = False) -> list[int]:
        """Points right after a free sentence end, not already followed by noise (two phrases never stack);
        unless ``digits_ok``, not where a digit follows."""
        out = []
        for sent in sentences(self.text):
            after = min(sent.end + 2, len(self.text))
            if sent.terminal_start == sent.end or not self.is_free(sent.end, after):
                continue
            if not digits_ok and _next_char(self.text, sent.end).isdigit():
                continue
            out.append(sent.end)
        return out

    def insert_inline(self, pos: int, phrase: str) -> None:
        """`` phrase`` glued after the sentence end at ``pos``; the span covers the phrase, not the space."""
        self.replace(pos, pos, " " + phrase)
        s, e = self.spans.pop()
        self.spans.append((s + 1, e))

    def free_sentences(self, min_words: int = 1) -> list[Sentence]:
        return [s for s in sentences(self.text)
                if self.is_free(s.start, s.end) and len(s.text.split()) >= min_words]

    def inner_word_gaps(self, sent: Sentence, margin: int = 2) -> list[int]:
        """Single spaces inside ``sent`` between two Arabic letters, at least ``margin`` words from either end."""
        gaps = [m.start() + sent.start for m in re.finditer(r"(?<=\S) (?=\S)", sent.text)]
        gaps = gaps[margin - 1:len(gaps) - margin + 1] if margin > 1 else gaps
        return [g for g in gaps if is_arabic_letter(self.text[g - 1]) and is_arabic_letter(self.text[g + 1])
                and self.is_free(g, g + 1)]

    def free_tokens(self) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in TOKEN.finditer(self.text) if self.is_free(m.start(), m.end())]

    def free_token_pairs(self) -> list[tuple[int, int, int, int]]:
        """Neighbouring tokens on one line separated by exactly one space, both free: (a0, a1, b0, b1)."""
        toks = [(m.start(), m.end()) for m in TOKEN.finditer(self.text)]
        return [(a0, a1, b0, b1) for (a0, a1), (b0, b1) in zip(toks, toks[1:])
                if self.text[a1:b0] == " " and self.is_free(a0, b1)]


def neighbours_are_digits(text: str, pos: int) -> bool:
    """Whether the nearest non-space character before or after ``pos`` (same line) is a digit."""
    return _prev_char(text, pos).isdigit() or _next_char(text, pos).isdigit()
