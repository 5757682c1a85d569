"""``native-align eval toxicity``: does the lexicon separate offensive tweets from normal ones?

On the Arabic part of MLMA (tweets labelled normal, offensive, hateful, abusive, disrespectful, fearful, or a
combination ``a_b`` when annotators disagreed) we compare the lexicon toxicity rate (share of tweets with at least
one lexicon hit) of tweets labelled *only* ``normal`` with tweets carrying any non-normal label. A usable lexicon
gives the second group a clearly higher rate; the absolute numbers show its recall (lexicons miss most insults).
By default this evaluation uses the shared LDNOOBW-derived list, which is larger than our packaged one.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pandas as pd

from native_align.report.toxicity import Lexicon, score_texts, summarize

SHARED = Path(os.environ.get("NATIVE_ALIGN_SHARED_DATA",
                             Path(__file__).resolve().parents[2].parent / "shared" / "data"))
DEFAULT_CSV = SHARED / "toxicity" / "mlma_ar.csv"
DEFAULT_LEXICON = SHARED / "wordlists" / "ar_badwords.txt"


def evaluate(csv_path: str | Path, lexicon: Lexicon, text_col: str = "tweet",
             label_col: str = "sentiment") -> dict[str, dict[str, float]]:
    """Lexicon summary per group: ``offensive`` (any non-normal label), ``normal``, and ``unanimous_offensive``
    (labels with no ``normal`` part at all, i.e. no annotator called the tweet normal)."""
    df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    labels = df[label_col].str.strip().str.lower()
    scores = score_texts(lexicon, df[text_col].tolist())
    is_normal = labels == "normal"
    unanimous = ~labels.str.split("_").apply(lambda parts: "normal" in parts)
    out = {}
    for name, mask in (("offensive", ~is_normal), ("normal", is_normal), ("unanimous_offensive", unanimous)):
        out[name] = summarize(scores.loc[mask, "hits"], scores.loc[mask, "words"])
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="native-align eval toxicity", description=__doc__.split("\n")[0])
    p.add_argument("--data", default=str(DEFAULT_CSV), help="MLMA Arabic CSV (columns tweet, sentiment)")
    p.add_argument("--lexicon", default=str(DEFAULT_LEXICON),
                   help="one term a line; 'packaged' for our own list (default: shared LDNOOBW-derived list)")
    args = p.parse_args(argv)
    if not Path(args.data).is_file():
        print(f"eval toxicity: data not found at {args.data}")
        return 2
    lexicon = Lexicon.load(None if args.lexicon == "packaged" else args.lexicon)
    result = evaluate(args.data, lexicon)
    print(f"lexicon: {lexicon.source} ({len(lexicon)} terms)")
    print(f"{'group':<22}{'tweets':>8}{'toxic rate':>12}{'hits/1k words':>15}")
    for name, s in result.items():
        print(f"{name:<22}{s['documents']:>8}{s['toxic_rate']:>12.3f}{s['hits_per_1k_words']:>15.2f}")
    ratio = result["offensive"]["toxic_rate"] / max(result["normal"]["toxic_rate"], 1e-9)
    print(f"offensive vs normal toxic rate: {ratio:.2f}x")
    return 0
