"""A sentence of the chunk repeated: right after itself, after a later sentence, or on a later line.

Code of conduct, format: "delete symbols and repetition that carry no meaning". The recorded ``text`` is the
repeated sentence: in the source it occurs once more than in the target (a correct rewrite keeps it once).
Placements are the templates; a copy never lands next to a digit. Both copies are protected from later noise, so
they stay identical.
"""

from __future__ import annotations

import random

from native_align.pairs.config import RepeatsConfig
from native_align.pairs.noise.base import Injection, NoiseFamily, Template
from native_align.pairs.noise.draft import Draft, Sentence

T = Template
TEMPLATES: tuple[Template, ...] = (
    T("repeats.adjacent", "{sentence} {sentence}", kind="adjacent"),
    T("repeats.later_inline", "{sentence} … {other} {sentence}", kind="later_inline"),
    T("repeats.later_line", "{sentence} …\n{sentence}", kind="later_line"),
    T("repeats.adjacent_line", "{sentence}\n{sentence}", kind="adjacent_line", held_out=True),
)


class RepeatsNoise(NoiseFamily):
    name = "repeats"
    templates = TEMPLATES

    def __init__(self, config: RepeatsConfig) -> None:
        super().__init__(config)

    def apply(self, draft: Draft, rng: random.Random, split: str) -> list[Injection]:
        template = self.pick(rng, split)
        if template is None:
            return []
        candidates = []
        for sent in draft.free_sentences(self.config.min_words):
            sites = self._sites(draft, sent, template.kind)
            if sites and len(sent.text) <= self.config.max_sentence_chars:
                candidates.append((sent, sites))
        if not candidates:
            return []
        sent, sites = rng.choice(candidates)
        pos = rng.choice(sites)
        if template.kind in ("adjacent", "later_inline"):
            draft.insert_inline(pos, sent.text)
        else:
            draft.insert_line(pos, sent.text)  # adjacent_line: the rest of its line, if any, follows the copy
        draft.protect(sent.start, sent.end)  # copies come after it, so its offsets still hold; both stay identical
        return [self.record(template, sent.text)]

    @staticmethod
    def _sites(draft: Draft, sent: Sentence, kind: str) -> list[int]:
        """Where the copy of ``sent`` may go for this placement."""
        if kind in ("adjacent", "adjacent_line"):
            return [sent.end]
        if kind == "later_inline":
            return [slot for slot in draft.sentence_end_slots() if slot > sent.end]
        # At least one more line in between: right after its own line is the held-out adjacent_line placement.
        return [slot for slot in draft.line_slots() if slot > sent.end and draft.text[sent.end:slot].strip()]
