"""Settings of the pairs stage: chunk budget, the noise families, seeds, held-out rules.

Defaults fit training a ~270M alignment worker on a CPU: a target chunk of 64–160 tokens plus at most 64 tokens
of noise keeps source + target + a short instruction within ~400 tokens.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section

DamageKind = Literal["line_wrap", "spaces", "glue", "punctuation", "tatweel", "html_entity", "html_tag", "emoji"]
DAMAGE_KINDS: tuple[str, ...] = ("line_wrap", "spaces", "glue", "punctuation", "tatweel", "html_entity",
                                 "html_tag", "emoji")


class ChunkConfig(Section):
    """How documents are cut into paragraph-level chunks (the clean targets)."""

    # Shorter chunks teach little per pair; a document's short tail is dropped rather than kept alone.
    min_tokens: int = Field(64, ge=1)
    # 160 + 64 noise + 160 target + instruction ≈ 400 tokens: a sequence a 270M model trains on cheaply on CPU.
    max_tokens: int = Field(160, ge=16)
    # Menus, captions and lists of names are not prose the worker should learn to keep.
    min_words: int = Field(12, ge=1)
    # A target that stops mid-sentence teaches the worker to truncate.
    require_sentence_end: bool = True
    # Without the worker's tokenizer: Arabic BPE vocabularies average ~3 characters per token.
    chars_per_token: float = Field(3.0, gt=0)


class FamilyConfig(Section):
    """What every noise family has: a switch and the chance that it fires on a chunk."""

    enabled: bool = True
    probability: float = Field(0.3, ge=0.0, le=1.0)


class AdsConfig(FamilyConfig):
    """Promo lines and short calls to action (code of conduct: remove ads)."""

    probability: float = Field(0.35, ge=0.0, le=1.0)  # ads are the commonest web defect after boilerplate
    max_insertions: int = Field(2, ge=1)  # 1..max per chunk: one ad teaches the rule, three drown the text
    inline_share: float = Field(0.3, ge=0.0, le=1.0)  # share glued after a sentence instead of on its own line


class ContactsConfig(FamilyConfig):
    """Phones, e-mails, URLs and handles inside an Arabic phrase (code of conduct: remove contact details)."""

    probability: float = Field(0.3, ge=0.0, le=1.0)
    max_insertions: int = Field(2, ge=1)
    inline_share: float = Field(0.5, ge=0.0, le=1.0)  # contact phrases sit inside paragraphs as often as alone
    arabic_indic_share: float = Field(0.3, ge=0.0, le=1.0)  # ٠-٩ digits: the worker must know both scripts


class BoilerplateConfig(FamilyConfig):
    """Navigation, share/copyright lines, cookie notices, breadcrumbs (code of conduct: clean format)."""

    probability: float = Field(0.35, ge=0.0, le=1.0)
    max_lines: int = Field(3, ge=1)  # pages carry several; more than three would dominate a 100-token chunk


class FormattingConfig(FamilyConfig):
    """Reversible formatting damage (code of conduct: clean format); the clean chunk is the repair."""

    probability: float = Field(0.5, ge=0.0, le=1.0)  # the cheapest rule to learn and the most frequent defect
    max_damages: int = Field(3, ge=1)  # 1..max damages per chunk
    kinds: list[DamageKind] = Field(default_factory=lambda: list(DAMAGE_KINDS))  # which damages may be drawn
    # &#1575; puts digits into the source that a numbers check would count as facts; off for such checks.
    numeric_entities: bool = True


class InsultsConfig(FamilyConfig):
    """Insults at groups and obscenities put into sentences (code of conduct: fair values, no hate)."""

    probability: float = Field(0.25, ge=0.0, le=1.0)  # rarer than ads in real text, but the rule matters most
    max_insertions: int = Field(1, ge=1)
    # None: the shipped list native_align/resources/wordlists/ar_badwords.txt (# lines are comments).
    badwords_path: str | None = None


class RepeatsConfig(FamilyConfig):
    """A sentence repeated right after itself or later (code of conduct: remove meaningless repetition)."""

    probability: float = Field(0.2, ge=0.0, le=1.0)
    min_words: int = Field(4, ge=1)  # repeating "نعم." is not the defect we mean
    max_sentence_chars: int = Field(180, ge=10)  # keeps the copy within the noise token budget


class NoiseConfig(Section):
    """The families, applied in the order repeats, insults, formatting, contacts, ads, boilerplate."""

    ads: AdsConfig = Field(default_factory=AdsConfig)
    contacts: ContactsConfig = Field(default_factory=ContactsConfig)
    boilerplate: BoilerplateConfig = Field(default_factory=BoilerplateConfig)
    formatting: FormattingConfig = Field(default_factory=FormattingConfig)
    insults: InsultsConfig = Field(default_factory=InsultsConfig)
    repeats: RepeatsConfig = Field(default_factory=RepeatsConfig)
    # A family whose output would add more than this (estimated) is skipped: bounds the source length.
    max_added_tokens: int = Field(64, ge=1)


class PairsConfig(Section):
    """What the pairs stage makes: chunks of curated documents, each paired with a seeded noisy copy."""

    enabled: bool = True
    # Mixed into every chunk's random stream: a new seed gives a new, equally reproducible set of sources.
    seed: int = 0
    # Chunks left untouched on purpose ("do no harm": the worker must return clean text unchanged).
    clean_fraction: float = Field(0.05, ge=0.0, le=1.0)
    # Documents (by hash of doc id) kept for evaluation, never trained on. Their chunks are split three ways: clean
    # (do no harm), training templates (new documents and seeds), held-out templates (rules, not strings).
    heldout_fraction: float = Field(0.1, ge=0.0, le=1.0)
    # None: every chunk; otherwise at most N training pairs, the first by hash of (seed, pair id): the same every run.
    max_pairs: int | None = Field(None, ge=0)
    # The same cap for the evaluation pairs (they cost model time per pair when evaluated).
    max_heldout_pairs: int | None = Field(None, ge=0)
    # Only documents whose curate quality_score reaches this (1 = far from every threshold) become targets.
    min_quality: float = Field(0.0, ge=0.0, le=1.0)
    chunk: ChunkConfig = Field(default_factory=ChunkConfig)
    noise: NoiseConfig = Field(default_factory=NoiseConfig)
