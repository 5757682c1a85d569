"""Peer for bench_curate.py: datatrove 0.10.1's filters on the same corpus, in one of two chains.

Runs in its own virtualenv (see bench_curate.py); prints one JSON object. The filters are called the way
datatrove's pipeline chains them: a document rejected by one filter is not seen by the next.

``--chain speed`` (default): LID + Gopher x2 + C4 + FineWeb, the filter set the speed comparison names. The
fastText model is the same lid.176.ftz our curate uses (datatrove would download lid.176.bin; no internet here).
Thresholds are datatrove's defaults, with FineWeb-2 ``arb_Arab`` values where DESIGN.md gives them.

``--chain fineweb2``: the quality filtering of FineWeb-2's published ``fineweb-2-pipeline.py`` for ``arb_Arab``
(Gopher repetition without the paragraph/line-character rules, FineWeb quality without the short-line rule and
with char_duplicates_ratio 0.1, Gopher quality with the arb_Arab stopwords; no C4), on text whose lines are
stripped as trafilatura would leave them (SaudiNewsNet lines end in a space, which datatrove's line-punctuation
test does not strip). Its language step needs GlotLID and is left out. Reports which documents it keeps, so
bench_curate can compare keep decisions document by document.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter

ARB_STOPWORDS = ["،", "في", "من", "على", "إلى", "عام", "أن", "مع", "أو", "هو", "عن", "التي", "كان", "بين", "ما",
                 "كانت", "هي", "المتحدة", "بعد"]
TOP_N_GRAMS = ((2, 0.197), (3, 0.172), (4, 0.146))
DUP_N_GRAMS = ((5, 0.165), (6, 0.153), (7, 0.142), (8, 0.131), (9, 0.12), (10, 0.109))


def speed_chain(model: str, lang: str) -> list:
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter, LanguageFilter)
    from fasttext.FastText import _FastText

    lid = LanguageFilter(languages=["ar"], language_threshold=0.65)
    lid.model._model = _FastText(model)  # the same local model file instead of a download
    return [
        ("lid", lid),
        ("gopher_rep", GopherRepetitionFilter(dup_line_frac=0.304, top_n_grams=TOP_N_GRAMS, dup_n_grams=DUP_N_GRAMS,
                                              language=lang)),
        ("gopher_quality", GopherQualityFilter(min_avg_word_length=2, max_avg_word_length=9,
                                               max_non_alpha_words_ratio=0.787, language=lang,
                                               stop_words=ARB_STOPWORDS)),
        ("c4", C4QualityFilter(language=lang)),
        ("fineweb", FineWebQualityFilter(line_punct_thr=0.143, char_duplicates_ratio=0.1, new_line_ratio=0.189,
                                         language=lang)),
    ]


def fineweb2_chain() -> list:
    """The arguments fineweb-2-pipeline.py passes, with configs/arb_Arab.yml's values."""
    from datatrove.pipeline.filters import FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter

    lang = "arb_Arab"
    return [
        ("gopher_rep", GopherRepetitionFilter(language=lang, dup_para_frac=0, dup_line_char_frac=0,
                                              dup_para_char_frac=0, dup_line_frac=0.304, top_n_grams=TOP_N_GRAMS,
                                              dup_n_grams=DUP_N_GRAMS)),
        ("fineweb", FineWebQualityFilter(language=lang, short_line_thr=999, char_duplicates_ratio=0.1,
                                         line_punct_thr=0.143, new_line_ratio=0.189)),
        ("gopher_quality", GopherQualityFilter(language=lang, max_avg_word_length=9, min_avg_word_length=2,
                                               stop_words=ARB_STOPWORDS, max_non_alpha_words_ratio=0.787,
                                               min_stop_words=2)),
    ]


def strip_lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--language", default="ar")
    ap.add_argument("--chain", choices=("speed", "fineweb2"), default="speed")
    args = ap.parse_args()

    from datatrove.data import Document

    fineweb2 = args.chain == "fineweb2"
    docs = []
    with gzip.open(args.corpus, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if args.limit and i >= args.limit:
                break
            text = json.loads(line).get("content") or ""
            docs.append(Document(text=strip_lines(text) if fineweb2 else text, id=str(i)))

    filters = fineweb2_chain() if fineweb2 else speed_chain(args.model, args.language)
    # warm-up outside the timing: model load and spaCy tokenizer construction
    warm = Document(text="نص قصير للتجربة.", id="w")
    for _, flt in filters:
        flt.filter(warm)

    reasons: Counter = Counter()
    keep: list[bool] = []
    t0 = time.perf_counter()
    for doc in docs:
        ok = bool(doc.text.strip())
        if not ok:
            reasons["empty"] += 1
        for name, flt in filters if ok else ():
            res = flt.filter(doc)
            passed, why = (res, None) if isinstance(res, bool) else res
            if not passed:
                reasons[f"{name}:{why or 'rejected'}"] += 1
                ok = False
                break
        keep.append(ok)
    seconds = time.perf_counter() - t0
    result = {"docs": len(docs), "seconds": seconds, "kept": sum(keep),
              "nonempty": sum(1 for d in docs if d.text.strip()), "top_reasons": reasons.most_common(8)}
    if fineweb2:
        result["keep"] = keep
    print(json.dumps(result))


if __name__ == "__main__":
    main()
