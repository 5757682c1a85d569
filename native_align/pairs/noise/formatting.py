"""Formatting damage that a correct rewrite undoes exactly: the clean chunk is the repair.

Code of conduct, format: "fix spacing and punctuation, separate Arabic words from English words or numbers glued
to them, delete meaningless symbols". Each variant has one repair rule: join a broken line; collapse spaces;
put the space back between Arabic and a number/Latin word; keep the first of repeated marks; drop tatweel; decode
entities; drop tags; drop emoji. Only spaces, marks and letters around words change: every digit of the chunk
stays, in order (a glued "عام2025" still reads 2025). ``Injection.text`` is the damaged token(s) as they stand in
the source; ``kind`` the damage kind.
"""

from __future__ import annotations

import random
from typing import Callable

from native_align.pairs.config import FormattingConfig
from native_align.pairs.noise.base import Injection, NoiseFamily, Template, pool
from native_align.pairs.noise.draft import ARABIC_WORD, TERMINALS, Draft, is_arabic_letter, is_latin_letter

T = Template
TEMPLATES: tuple[Template, ...] = (
    T("formatting.wrap.newline", "\n", kind="line_wrap"),
    T("formatting.wrap.space_newline", " \n", kind="line_wrap"),
    T("formatting.wrap.blank_line", "\n\n", kind="line_wrap", held_out=True),
    T("formatting.spaces.double", "  ", kind="spaces"),
    T("formatting.spaces.triple", "   ", kind="spaces"),
    T("formatting.spaces.before_punct", " ", kind="spaces"),
    T("formatting.spaces.nbsp", "\u00a0 ", kind="spaces", held_out=True),
    T("formatting.glue.ar_digit", "", kind="glue"),
    T("formatting.glue.digit_ar", "", kind="glue"),
    T("formatting.glue.ar_latin", "", kind="glue"),
    T("formatting.glue.latin_ar", "", kind="glue", held_out=True),
    T("formatting.punct.repeat", "", kind="punctuation"),
    T("formatting.punct.exclaim", "!", kind="punctuation"),
    T("formatting.punct.comma_run", "،", kind="punctuation"),
    T("formatting.punct.mixed", "!؟", kind="punctuation", held_out=True),
    T("formatting.tatweel.run", "ـ", kind="tatweel"),
    T("formatting.tatweel.short", "ـ", kind="tatweel"),
    T("formatting.tatweel.double", "ـ", kind="tatweel", held_out=True),
    T("formatting.entity.nbsp", "&nbsp;", kind="html_entity"),
    T("formatting.entity.decimal", "&#{code};", kind="html_entity"),
    T("formatting.entity.quot", "&quot;", kind="html_entity"),
    T("formatting.entity.guillemets", "&laquo; &raquo;", kind="html_entity"),
    T("formatting.entity.hex", "&#x{code};", kind="html_entity", held_out=True),
    T("formatting.entity.rlm", "&rlm;", kind="html_entity", held_out=True),
    T("formatting.tag.br", "<br>", kind="html_tag"),
    T("formatting.tag.div_close", "</div>", kind="html_tag"),
    T("formatting.tag.p", "<p> </p>", kind="html_tag"),
    T("formatting.tag.strong", "<strong> </strong>", kind="html_tag"),
    T("formatting.tag.span_style", '<span style="color:red"> </span>', kind="html_tag", held_out=True),
    T("formatting.emoji.fire", "🔥", kind="emoji"),
    T("formatting.emoji.hearts", "❤️ 💖 💕", kind="emoji"),
    T("formatting.emoji.laugh", "😂 🤣", kind="emoji"),
    T("formatting.emoji.pointing", "👇 👉", kind="emoji"),
    T("formatting.emoji.flowers", "🌹 🌸", kind="emoji"),
    T("formatting.emoji.stars", "✨ 🌟 ⭐", kind="emoji", held_out=True),
)
NUMERIC_ENTITIES = {"formatting.entity.decimal", "formatting.entity.hex"}
# Letters that never join the next one: a tatweel after them would float between two letter forms.
_NON_CONNECTING = set("اأإآٱدذرزوؤةىء")
_CLOSERS = "\"'»”)]"
Damage = Callable[[Draft, random.Random, Template], list[str]]


def _ends_sentence(token: str) -> bool:
    return token.rstrip(_CLOSERS)[-1:] in TERMINALS


def _free_words(draft: Draft) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in ARABIC_WORD.finditer(draft.text) if draft.is_free(m.start(), m.end())]


def _swap(draft: Draft, start: int, end: int, new: str) -> list[str]:
    draft.replace(start, end, new)
    return [new]


def wrap(draft: Draft, rng: random.Random, t: Template) -> list[str]:
    """A line cut mid-sentence (never after a sentence end: that would be a paragraph break)."""
    pairs = [p for p in draft.free_token_pairs() if not _ends_sentence(draft.text[p[0]:p[1]])]
    if not pairs:
        return []
    a0, a1, b0, b1 = rng.choice(pairs)
    return _swap(draft, a0, b1, draft.text[a0:a1] + t.text + draft.text[b0:b1])


def spaces(draft: Draft, rng: random.Random, t: Template) -> list[str]:
    """Extra spaces between two words, or a space before a mark (before_punct)."""
    if t.id.endswith("before_punct"):
        toks = [(s, e) for s, e in draft.free_tokens()
                if e - s >= 2 and draft.text[e - 1] in "،.!؟?:؛" and draft.text[e - 2].isalnum()]
        if not toks:
            return []
        s, e = rng.choice(toks)
        return _swap(draft, s, e, draft.text[s:e - 1] + " " + draft.text[e - 1])
    pairs = draft.free_token_pairs()
    if not pairs:
        return []
    a0, a1, b0, b1 = rng.choice(pairs)
    return _swap(draft, a0, b1, draft.text[a0:a1] + t.text + draft.text[b0:b1])


_GLUE_RULES: dict[str, Callable[[str, str], bool]] = {
    "formatting.glue.ar_digit": lambda a, b: is_arabic_letter(a) and b.isdigit(),
    "formatting.glue.digit_ar": lambda a, b: a.isdigit() and is_arabic_letter(b),
    "formatting.glue.ar_latin": lambda a, b: is_arabic_letter(a) and is_latin_letter(b),
    "formatting.glue.latin_ar": lambda a, b: is_latin_letter(a) and is_arabic_letter(b),
}


def glue(draft: Draft, rng: random.Random, t: Template) -> list[str]:
    """The space between an Arabic word and a number or Latin word (either order) removed."""
    rule = _GLUE_RULES[t.id]
    pairs = [p for p in draft.free_token_pairs() if rule(draft.text[p[1] - 1], draft.text[p[2]])]
    if not pairs:
        return []
    a0, a1, b0, b1 = rng.choice(pairs)
    return _swap(draft, a0, b1, draft.text[a0:a1] + draft.text[b0:b1])


def punctuation(draft: Draft, rng: random.Random, t: Template) -> list[str]:
    """A single end mark (or comma) followed by more marks; the first mark is the one to keep."""
    commas = t.id.endswith("comma_run")
    marks = "،," if commas else ".!?؟"
    toks = [(s, e) for s, e in draft.free_tokens()
            if draft.text[e - 1] in marks and (e - s < 2 or draft.text[e - 2] not in TERMINALS + "،,")]
    if not toks:
        return []
    s, e = rng.choice(toks)
    mark = draft.text[e - 1]
    if t.id.endswith("repeat") or commas:
        extra = mark * rng.randint(2, 4)
    elif t.id.endswith("exclaim"):
        extra = "!" * rng.randint(2, 4)
    else:
        extra = "".join(rng.choice(t.text) for _ in range(rng.randint(3, 5)))
    return _swap(draft, s, e, draft.text[s:e] + extra)


def tatweel(draft: Draft, rng: random.Random, t: Template) -> list[str]:
    """Tatweel runs inside a word, only between a joining letter and the next letter (كـــبير)."""
    sites = []
    for s, e in _free_words(draft):
        cuts = [i for i in range(1, e - s) if draft.text[s + i - 1] not in _NON_CONNECTING]
        if cuts:
            sites.append((s, e, cuts))
    if not sites:
        return []
    s, e, cuts = rng.choice(sites)
    word = draft.text[s:e]
    n_cuts = 2 if t.id.endswith("double") and len(cuts) >= 2 else 1
    low, high = {"formatting.tatweel.run": (3, 6), "formatting.tatweel.short": (1, 2)}.get(t.id, (2, 4))
    for cut in sorted(rng.sample(cuts, n_cuts), reverse=True):
        word = word[:cut] + t.text * rng.randint(low, high) + word[cut:]
    return _swap(draft, s, e, word)


def entity(draft: Draft, rng: random.Random, t: Template) -> list[str]:
    """An HTML entity where its character was: &nbsp; for a space, &quot;/&laquo;/&raquo; for quotes, &#1575;
    or &#x627; for one Arabic letter; or a right-to-left mark (&rlm;, invisible, dropped) glued after a word."""
    if t.id.endswith("nbsp"):
        pairs = draft.free_token_pairs()
        if not pairs:
            return []
        a0, a1, b0, b1 = rng.choice(pairs)
        return _swap(draft, a0, b1, draft.text[a0:a1] + t.text + draft.text[b0:b1])
    if t.id.endswith("rlm"):
        words = _free_words(draft)
        if not words:
            return []
        s, e = rng.choice(words)
        return _swap(draft, s, e, draft.text[s:e] + t.text)
    if t.id in NUMERIC_ENTITIES:
        words = _free_words(draft)
        if not words:
            return []
        s, e = rng.choice(words)
        i = rng.randrange(s, e)
        code = str(ord(draft.text[i])) if t.id.endswith("decimal") else format(ord(draft.text[i]), "x")
        return _swap(draft, s, e, draft.text[s:i] + t.text.replace("{code}", code) + draft.text[i + 1:e])
    table = {'"': "&quot;"} if t.id.endswith("quot") else {"«": "&laquo;", "»": "&raquo;"}
    toks = [(s, e) for s, e in draft.free_tokens() if any(ch in table for ch in draft.text[s:e])]
    if not toks:
        return []
    s, e = rng.choice(toks)
    return _swap(draft, s, e, "".join(table.get(ch, ch) for ch in draft.text[s:e]))


def tag(draft: Draft, rng: random.Random, t: Template) -> list[str]:
    """Stray tags: <br> or </div> after a sentence end, <p>…</p> around a line, <strong>/<span> around a word."""
    if t.id.endswith(("br", "div_close")):
        toks = [(s, e) for s, e in draft.free_tokens() if _ends_sentence(draft.text[s:e])]
        if not toks:
            return []
        s, e = rng.choice(toks)
        return _swap(draft, s, e, draft.text[s:e] + t.text)
    opening, closing = t.text.rsplit(" ", 1)
    if t.id.endswith(".p"):
        return _wrap_line(draft, rng, opening, closing)
    words = _free_words(draft)
    if not words:
        return []
    s, e = rng.choice(words)
    return _swap(draft, s, e, opening + draft.text[s:e] + closing)


def _wrap_line(draft: Draft, rng: random.Random, opening: str, closing: str) -> list[str]:
    """<p> glued to a line's first token and </p> to its last, each its own protected token."""
    lines = []
    for first, last in _line_ends(draft.text):
        if first != last and draft.is_free(*first) and draft.is_free(*last):
            lines.append((first, last))
    if not lines:
        return []
    (f0, f1), (l0, l1) = rng.choice(lines)
    closed = draft.text[l0:l1] + closing
    draft.replace(l0, l1, closed)  # the later token first: the earlier offsets stay valid
    opened = opening + draft.text[f0:f1]
    draft.replace(f0, f1, opened)
    return [opened, closed]


def _line_ends(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(first token span, last token span) of every line with a token."""
    out = []
    offset = 0
    for line in text.split("\n"):
        toks = line.split()
        if toks:
            f0 = offset + line.index(toks[0])
            l0 = offset + line.rindex(toks[-1])
            out.append(((f0, f0 + len(toks[0])), (l0, l0 + len(toks[-1]))))
        offset += len(line) + 1
    return out


def emoji(draft: Draft, rng: random.Random, t: Template) -> list[str]:
    """A run of two to five emoji after a sentence end."""
    slots = draft.sentence_end_slots(digits_ok=True)
    if not slots:
        return []
    run = "".join(rng.choice(t.text.split()) for _ in range(rng.randint(2, 5)))
    draft.insert_inline(rng.choice(slots), run)
    return [run]


DAMAGES: dict[str, Damage] = {"line_wrap": wrap, "spaces": spaces, "glue": glue, "punctuation": punctuation,
                              "tatweel": tatweel, "html_entity": entity, "html_tag": tag, "emoji": emoji}


class FormattingNoise(NoiseFamily):
    name = "formatting"
    templates = TEMPLATES

    def __init__(self, config: FormattingConfig) -> None:
        super().__init__(config)

    def usable(self, split: str) -> list[Template]:
        return [t for t in pool(self.templates, split) if t.kind in self.config.kinds
                and (self.config.numeric_entities or t.id not in NUMERIC_ENTITIES)]

    def apply(self, draft: Draft, rng: random.Random, split: str) -> list[Injection]:
        """1..max_damages damages; a variant with no site in the chunk is skipped and another drawn."""
        templates = self.usable(split)
        kinds = sorted({t.kind for t in templates})
        wanted = rng.randint(1, self.config.max_damages)
        out: list[Injection] = []
        for _ in range(4 * wanted):
            if len(out) >= wanted or not kinds:
                break
            kind = rng.choice(kinds)
            template = rng.choice([t for t in templates if t.kind == kind])
            out.extend(self.record(template, token) for token in DAMAGES[kind](draft, rng, template))
        return out
