"""What every noise family shares: templates with stable ids and a held-out flag, the split rule, and the record
of what was injected.

Held-out rule: a fixed, documented ~25% of every family's templates (and of the phone/e-mail/URL/handle formats
and insult words) never appear with ``split="train"``; ``split="heldout"`` uses only them, ``"all"`` both. An
evaluation on held-out documents then tells a learned rule ("delete contact phrases") from memorised strings.
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Sequence

from native_align.pairs.noise.draft import Draft

SPLITS = ("train", "heldout", "all")
SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Template:
    """One phrase, line, format or damage variant. ``id`` never changes once published (evaluations key on it)."""

    id: str
    text: str
    held_out: bool = False
    kind: str = ""


@dataclass(frozen=True)
class Injection:
    """One piece of noise in a source. ``text`` is a substring of the source: the inserted phrase (without the
    space/comma that glued it in), the repeated sentence, or the damaged token(s). ``parts``: ids of every
    template used (phrase, formats, words); ``values``: generated contacts or the insult's group/word."""

    family: str
    template_id: str
    held_out: bool
    text: str
    kind: str
    parts: tuple[str, ...] = ()
    values: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["parts"], row["values"] = list(self.parts), list(self.values)
        return row


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return split


def in_split(template: Template, split: str) -> bool:
    return split == "all" or template.held_out == (split == "heldout")


def pool(templates: Sequence[Template], split: str, kind: str | None = None) -> list[Template]:
    return [t for t in templates if in_split(t, split) and (kind is None or t.kind == kind)]


def literal_parts(text: str) -> list[str]:
    """The fixed text of a template between its slots (tests use it to prove held-out phrases stay out)."""
    return [p.strip() for p in SLOT.split(text)[::2] if p.strip()]


class NoiseFamily:
    """Base of a family: ``apply`` changes a draft and returns what it injected ([] when nothing fits)."""

    name: ClassVar[str] = ""
    templates: ClassVar[tuple[Template, ...]] = ()

    def __init__(self, config) -> None:
        self.config = config

    @property
    def enabled(self) -> bool:
        return bool(self.config.enabled)

    @property
    def probability(self) -> float:
        return float(self.config.probability)

    def all_templates(self) -> list[Template]:
        """Every template the family can draw (phrases plus formats and words), for counts and tests."""
        return list(self.templates)

    def pick(self, rng: random.Random, split: str, kind: str | None = None, exclude: Sequence[Injection] = ()
             ) -> Template | None:
        """A template of ``split`` (and ``kind``), none of those already used by ``exclude``: a page repeats no
        line twice."""
        used = {i.template_id for i in exclude}
        choices = [t for t in pool(self.templates, split, kind) if t.id not in used]
        return rng.choice(choices) if choices else None

    def record(self, template: Template, text: str, kind: str | None = None, extra: Sequence[Template] = (),
               values: Sequence[str] = ()) -> Injection:
        used = [template, *extra]
        return Injection(self.name, template.id, any(t.held_out for t in used), text, kind or template.kind,
                         tuple(dict.fromkeys(t.id for t in used)), tuple(values))

    def apply(self, draft: Draft, rng: random.Random, split: str) -> list[Injection]:
        raise NotImplementedError
