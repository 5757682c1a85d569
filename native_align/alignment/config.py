"""Settings of the guardrails: the checks every rewrite (worker or expert) must pass."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section


class GuardrailConfig(Section):
    """Checks every rewrite must pass; a failure keeps the original with status ``rejected`` and reason codes."""

    # fastText labels counted as Arabic (lid.176 has `ar` and `arz`), and the minimum summed probability.
    arabic_labels: list[str] = Field(default_factory=lambda: ["ar", "arz"])
    min_arabic_score: float = Field(0.5, ge=0.0, le=1.0)
    # Length of the rewrite / length of the original, in non-space characters. Moderation removes ads and
    # contact lines, so a rewrite may legitimately be much shorter than a spammy original.
    min_length_ratio: float = Field(0.4, ge=0.0)
    max_length_ratio: float = Field(1.5, ge=0.0)
    # Below this many original characters the ratio is too noisy to judge (titles, one-liners).
    ratio_min_chars: int = Field(40, ge=0)
    check_language: bool = True
    check_length: bool = True
    check_meta: bool = True
    check_truncation: bool = True
    check_echo: bool = True
    check_numbers: bool = True
    # Digit runs this long without separators are phone numbers / ids, which moderation is told to remove.
    phone_min_digits: int = Field(7, ge=3)
    # moderation_missed: the rewrite kept a contact detail, an ad phrase or a moderation hit that the original had
    # (the scorer is the run's `moderation` section; native_align/moderation/removable.py says what "kept" means).
    check_moderation: bool = True
    moderation_kinds: list[Literal["phone", "email", "url", "handle", "ad", "moderation"]] = Field(
        default_factory=lambda: ["phone", "email", "url", "handle", "ad", "moderation"])
    # None: the packaged, reviewed ad-phrase list (resources/moderation/ads_ar.tsv).
    ads_path: str | None = None
