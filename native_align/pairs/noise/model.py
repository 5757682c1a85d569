"""The noise model: one clean chunk in, one (noisy source, clean target) pair out, reproducibly.

Determinism: every random draw comes from ``random.Random`` seeded with sha256(model seed, chunk seed[, family]);
the chunk seed is the caller's key (e.g. "doc_id:chunk_index"). Global random state is never touched, so the same
(config, chunk, seed, split) gives the same pair in any process, and one family's draws do not depend on another's.

Per chunk: with ``clean_fraction`` the chunk is left as it is ("do no harm": target == source); otherwise each
enabled family fires with its probability, in the order of ``FAMILIES`` (repeats and insults work on clean
sentences, formatting damages what is left, contacts/ads/boilerplate are inserted last). If none fired (or none
found a place), the others are tried in a seeded order until one does. A family whose output would grow the chunk
by more than ``noise.max_added_tokens`` is skipped.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from native_align.pairs.chunks import estimate_tokens
from native_align.pairs.config import PairsConfig
from native_align.pairs.noise.ads import AdsNoise
from native_align.pairs.noise.base import Injection, NoiseFamily, check_split
from native_align.pairs.noise.boilerplate import BoilerplateNoise
from native_align.pairs.noise.contacts import ContactsNoise
from native_align.pairs.noise.draft import Draft
from native_align.pairs.noise.formatting import FormattingNoise
from native_align.pairs.noise.insults import InsultsNoise
from native_align.pairs.noise.repeats import RepeatsNoise

FAMILIES: dict[str, type[NoiseFamily]] = {
    "repeats": RepeatsNoise, "insults": InsultsNoise, "formatting": FormattingNoise,
    "contacts": ContactsNoise, "ads": AdsNoise, "boilerplate": BoilerplateNoise,
}


@dataclass(frozen=True)
class NoisyPair:
    """``source`` (noisy) and ``target`` (clean chunk), the families applied and what each injected."""

    source: str
    target: str
    families: tuple[str, ...]
    injections: tuple[Injection, ...]
    seed: int | str
    split: str

    @property
    def clean(self) -> bool:
        return not self.injections

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "families": list(self.families),
                "injections": [i.to_dict() for i in self.injections], "seed": str(self.seed), "split": self.split}


def derive_seed(*parts: object) -> int:
    """A 64-bit seed from any values, identical across processes (unlike ``hash()``)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def document_split(doc_id: str, heldout_fraction: float) -> str:
    """"heldout" for a fixed ``heldout_fraction`` of documents by hash of the id (independent of the noise seed, so
    the evaluation documents stay the same when the seed changes), else "train"."""
    return "heldout" if derive_seed("pairs-heldout", doc_id) / 2 ** 64 < heldout_fraction else "train"


class NoiseModel:
    """``NoiseModel(config).apply(chunk, seed, split)``; families are built once and hold no per-chunk state."""

    def __init__(self, config: PairsConfig | None = None) -> None:
        self.config = config or PairsConfig()
        self.families: list[NoiseFamily] = [cls(getattr(self.config.noise, name)) for name, cls in FAMILIES.items()]

    def template_counts(self) -> dict[str, dict[str, int]]:
        """{family: {"train": n, "heldout": n}} over every template a family can draw (phrases, formats, words)."""
        out = {}
        for family in self.families:
            held = sum(t.held_out for t in family.all_templates())
            out[family.name] = {"train": len(family.all_templates()) - held, "heldout": held}
        return out

    def _tokens(self, text: str) -> int:
        return estimate_tokens([text], self.config.chunk.chars_per_token)[0]

    def apply(self, clean_chunk: str, seed: int | str, split: str = "train") -> NoisyPair:
        check_split(split)
        target = clean_chunk.strip()
        rng = random.Random(derive_seed(self.config.seed, seed))
        enabled = [f for f in self.families if f.enabled and f.probability > 0]
        leave_clean = rng.random() < self.config.clean_fraction
        if not target or not enabled or leave_clean:
            return NoisyPair(target, target, (), (), seed, split)
        chosen = [f for f in enabled if rng.random() < f.probability]
        draft = Draft(target)
        budget = self._tokens(target) + self.config.noise.max_added_tokens
        applied: list[str] = []
        injections: list[Injection] = []
        for family in chosen:
            draft = self._try(family, draft, seed, split, budget, applied, injections)
        if not applied:
            rest = [f for f in enabled if f not in chosen]
            rng.shuffle(rest)
            for family in [*chosen, *rest]:
                draft = self._try(family, draft, seed, split, budget, applied, injections, fallback=True)
                if applied:
                    break
        return NoisyPair(draft.text, target, tuple(applied), tuple(injections), seed, split)

    def _try(self, family: NoiseFamily, draft: Draft, seed: int | str, split: str, budget: int,
             applied: list[str], injections: list[Injection], fallback: bool = False) -> Draft:
        """Apply ``family`` to a copy; keep the copy only if it injected something within the budget."""
        trial = draft.copy()
        rng = random.Random(derive_seed(self.config.seed, seed, family.name, "fallback" if fallback else ""))
        done = family.apply(trial, rng, split)
        if not done or self._tokens(trial.text) > budget:
            return draft
        applied.append(family.name)
        injections.extend(done)
        return trial
