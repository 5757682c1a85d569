"""Checks on every rewrite, so a worker's failure can never silently replace a good document.

An LLM rewrite can go wrong in ways that look like text: it switches to English, wraps the answer in "Here is the
rewritten text", refuses, stops mid-sentence at the token cap, repeats our instructions, or quietly changes a
number. Each rule below returns a stable reason code (counted in the report); any reason makes the rewrite
``rejected`` and the stage keeps the original beside it. Seed annotation uses the same checks on expert outputs.

Form alone is not enough: a worker that ignores the content-moderation rule would pass every form check, so
``moderation_missed`` rejects a rewrite that keeps a contact detail, an ad phrase or a moderation hit its original
had (``native_align/moderation/removable.py``; calibration in docs/moderation.md).

Reason codes: ``empty``, ``not_arabic``, ``too_short``, ``too_long``, ``refusal``, ``meta_commentary``,
``truncated``, ``echoes_instructions``, ``numbers_missing``, ``moderation_missed``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Sequence, Union

from native_align.alignment.config import GuardrailConfig
from native_align.text.lid import ArabicScorer, default_scorer

if TYPE_CHECKING:
    from native_align.moderation.base import ModerationScorer
    from native_align.moderation.config import ModerationConfig
    from native_align.moderation.removable import Item, RemovalCheck

    Moderation = Union[ModerationScorer, ModerationConfig, None]

# -- numbers --------------------------------------------------------------------------------------------------
_DIGITS = str.maketrans({
    **{chr(0x0660 + d): str(d) for d in range(10)},   # Arabic-Indic
    **{chr(0x06F0 + d): str(d) for d in range(10)},   # Extended Arabic-Indic (Persian/Urdu)
    "\u066b": ".",   # Arabic decimal separator
    "\u066c": ",",   # Arabic thousands separator
    "\u00a0": " ", "\u202f": " ",
})
_LINKS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
# Phone numbers with spaces/dashes: +966 55 123 4567, 055-123-4567 (years never start with 0 or +).
_PHONE = re.compile(r"(?:\+|00|0)\d{1,4}(?:[ \-]\d{2,4}){2,}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _canonical(token: str) -> list[str]:
    """``1,250,000`` -> ["1250000"]; ``3.50`` -> ["3.5"]; ``12.05.2015`` -> ["12", "5", "2015"]."""
    if _THOUSANDS.fullmatch(token):
        token = token.replace(",", "")
    if re.fullmatch(r"\d+", token):
        return [str(int(token))]
    if re.fullmatch(r"\d+\.\d+", token):
        whole, frac = token.split(".")
        frac = frac.rstrip("0")
        return [f"{int(whole)}.{frac}" if frac else str(int(whole))]
    return [str(int(g)) for g in re.split(r"[.,]", token) if g]


def extract_numbers(text: str, phone_min_digits: int = 7) -> tuple[set[str], set[str]]:
    """(numbers that must survive, every number form seen). Links, e-mails and phone numbers are left out of
    the first set: the code of conduct tells the worker to delete contact details. HTML entities are read as the
    characters they stand for: ``&#1576;`` is the letter ب, not the number 1576."""
    text = html.unescape(text).translate(_DIGITS)
    text = _LINKS.sub(" ", text)
    text = _PHONE.sub(" ", text)
    required: set[str] = set()
    seen: set[str] = set()
    for m in _NUMBER.finditer(text):
        token = m.group(0)
        forms = _canonical(token)
        seen.update(forms)
        seen.update(str(int(g)) for g in re.split(r"[.,]", token) if g)
        if re.fullmatch(r"\d+", token) and len(token) >= phone_min_digits:
            continue  # a bare long digit run: phone or id
        required.update(forms)
    return required, seen


# -- meta talk ------------------------------------------------------------------------------------------------
# Anywhere in the output: phrases a polished document never contains.
_META_ANYWHERE = [
    r"here(?:'s| is) (?:the|your|a) (?:re-?written|polished|improved|revised|edited|cleaned)",
    r"(?:re-?written|polished|improved|revised) (?:version|text)(?: of the text)?\s*:",
    r"as an ai\b", r"as a (?:large )?language model", r"i hope this helps",
    r"إليك النص", r"إليك إعادة", r"إليكم النص", r"إليك الصياغة", r"فيما يلي النص",
    r"النص (?:المعاد صياغته|بعد إعادة الصياغة|المحسن|المحسّن|المنقح)\s*:",
    r"بصفتي (?:نموذج|مساعد|ذكاء)", r"كنموذج لغوي", r"بصفتي نموذجا", r"أنا نموذج لغوي",
]
# Only at the start of the output: refusals whose words can also occur inside quoted news text.
_REFUSAL_START = [
    r"i(?:'m| am) sorry", r"i can(?:no|')t\b", r"i am unable", r"i'm unable", r"sorry,",
    r"لا أستطيع", r"لا يمكنني", r"عذرا", r"عذراً", r"آسف", r"أعتذر",
]
_META_RE = [re.compile(p, re.IGNORECASE) for p in _META_ANYWHERE]
_REFUSAL_RE = [re.compile(r"^\W{0,3}" + p, re.IGNORECASE) for p in _REFUSAL_START]
# A finished text ends with one of these (closing quotes/brackets allowed after the mark).
_TERMINAL = re.compile(r"[.!?؟…۔:;؛»\"'”)\]]\s*$")


@dataclass
class GuardrailResult:
    status: Literal["ok", "rejected"]
    reasons: list[str] = field(default_factory=list)
    # Human-readable evidence per reason (e.g. which numbers went missing); not stored in tables.
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _count(patterns: list[re.Pattern], text: str) -> int:
    return sum(len(p.findall(text)) for p in patterns)


def _nonspace_len(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def _echo_fragments(prompt) -> list[str]:
    if prompt is None:
        from native_align.alignment.prompts import load_prompt

        try:
            prompt = load_prompt()
        except FileNotFoundError:
            return []
    return prompt.echo_fragments()


def moderation_check(cfg: GuardrailConfig, moderation: Moderation = None) -> RemovalCheck:
    """The moderation_missed detectors: ``moderation`` is a scorer, or the settings to build one (the run's
    ``moderation`` section); None: the default lexicon. Built from settings once per process (cached)."""
    from native_align.moderation.ads import load_ads
    from native_align.moderation.base import ModerationScorer
    from native_align.moderation.removable import RemovalCheck, removal_check

    if isinstance(moderation, ModerationScorer):
        ads = load_ads(cfg.ads_path) if "ad" in cfg.moderation_kinds else None
        return RemovalCheck(moderation, ads, cfg.moderation_kinds)
    return removal_check(moderation, cfg.ads_path, cfg.moderation_kinds)


def check_rewrite(original: str, rewrite: str, cfg: GuardrailConfig | None = None, lid: ArabicScorer | None = None,
                  *, finish_reason: str | None = None, prompt=None, arabic_score: float | None = None,
                  moderation: Moderation = None, kept: Sequence[Item] | None = None) -> GuardrailResult:
    """Judge one rewrite against its original. ``finish_reason == "length"`` (the token cap was hit) counts as
    truncated; ``prompt`` (a PromptTemplate, default polish_v1) supplies the instruction text for the echo
    check; ``arabic_score`` skips LID when the caller already scored the text in a batch; ``moderation`` selects
    the scorer (see :func:`moderation_check`) and ``kept`` skips it when the batch form already decided."""
    cfg = cfg or GuardrailConfig()
    original = original or ""
    rewrite = rewrite or ""
    reasons: list[str] = []
    details: dict[str, str] = {}
    if not rewrite.strip():
        return GuardrailResult("rejected", ["empty"], {"empty": "no text generated"})

    if cfg.check_language:
        if arabic_score is None:
            scorer = lid or default_scorer(tuple(cfg.arabic_labels))
            arabic_score = scorer.arabic_scores([rewrite])[0]
        if arabic_score < cfg.min_arabic_score:
            reasons.append("not_arabic")
            details["not_arabic"] = f"arabic score {arabic_score:.2f} < {cfg.min_arabic_score}"

    if cfg.check_length and _nonspace_len(original) >= cfg.ratio_min_chars:
        ratio = _nonspace_len(rewrite) / max(1, _nonspace_len(original))
        if ratio < cfg.min_length_ratio:
            reasons.append("too_short")
            details["too_short"] = f"length ratio {ratio:.2f} < {cfg.min_length_ratio}"
        elif ratio > cfg.max_length_ratio:
            reasons.append("too_long")
            details["too_long"] = f"length ratio {ratio:.2f} > {cfg.max_length_ratio}"

    if cfg.check_meta:
        if sum(1 for p in _REFUSAL_RE if p.search(rewrite)) > sum(1 for p in _REFUSAL_RE if p.search(original)):
            reasons.append("refusal")
            details["refusal"] = rewrite.strip()[:80]
        if _count(_META_RE, rewrite) > _count(_META_RE, original):
            reasons.append("meta_commentary")
            hit = next(p.search(rewrite) for p in _META_RE if p.search(rewrite))
            details["meta_commentary"] = hit.group(0)

    if cfg.check_truncation:
        if finish_reason == "length":
            reasons.append("truncated")
            details["truncated"] = "stopped at the token limit"
        elif _TERMINAL.search(original.strip()) and not _TERMINAL.search(rewrite.strip()):
            reasons.append("truncated")
            details["truncated"] = f"ends mid-sentence: …{rewrite.strip()[-30:]}"

    if cfg.check_echo:
        echoed = [f for f in _echo_fragments(prompt) if f in rewrite and f not in original]
        if echoed:
            reasons.append("echoes_instructions")
            details["echoes_instructions"] = echoed[0]

    if cfg.check_numbers:
        required, _ = extract_numbers(original, cfg.phone_min_digits)
        _, present = extract_numbers(rewrite, cfg.phone_min_digits)
        missing = sorted(required - present)
        if missing:
            reasons.append("numbers_missing")
            details["numbers_missing"] = ", ".join(missing[:10])

    if cfg.check_moderation:
        if kept is None:
            kept = moderation_check(cfg, moderation).check([original], [rewrite])[0]
        if kept:
            reasons.append("moderation_missed")
            details["moderation_missed"] = "; ".join(it.describe() for it in kept[:5])

    return GuardrailResult("rejected" if reasons else "ok", reasons, details)


def check_rewrites(originals: Sequence[str], rewrites: Sequence[str], cfg: GuardrailConfig | None = None,
                   lid: ArabicScorer | None = None, finish_reasons: Sequence[str | None] | None = None,
                   prompt=None, *, moderation: Moderation = None) -> list[GuardrailResult]:
    """Batch form (what actors use): one LID call for all rewrites, one moderation ``score()`` call for all
    originals and one for the rewrites whose original had a hit."""
    cfg = cfg or GuardrailConfig()
    finish_reasons = finish_reasons or [None] * len(rewrites)
    scores: list[float | None] = [None] * len(rewrites)
    if cfg.check_language:
        scorer = lid or default_scorer(tuple(cfg.arabic_labels))
        idx = [i for i, r in enumerate(rewrites) if (r or "").strip()]
        for i, s in zip(idx, scorer.arabic_scores([rewrites[i] for i in idx])):
            scores[i] = s
    kept: list[list[Item] | None] = [None] * len(rewrites)
    if cfg.check_moderation:
        kept = moderation_check(cfg, moderation).check([o or "" for o in originals], [r or "" for r in rewrites])
    return [check_rewrite(o, r, cfg, lid, finish_reason=f, prompt=prompt, arabic_score=s, kept=k)
            for o, r, f, s, k in zip(originals, rewrites, finish_reasons, scores, kept)]
