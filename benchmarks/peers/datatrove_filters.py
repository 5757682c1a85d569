"""Peer for bench_curate.py: datatrove 0.10.1's LID + Gopher x2 + C4 + FineWeb filters on the same corpus.

Runs in its own virtualenv (see bench_curate.py); prints one JSON object. The filters are called the way
datatrove's pipeline chains them: a document rejected by one filter is not seen by the next. The fastText model
is the same lid.176.ftz our curate uses (datatrove would download lid.176.bin; there is no internet here).
Thresholds are datatrove's defaults, with FineWeb-2 ``arb_Arab`` values where DESIGN.md gives them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--language", default="ar")
    args = ap.parse_args()

    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter, LanguageFilter)
    from fasttext.FastText import _FastText

    docs = []
    with gzip.open(args.corpus, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if args.limit and i >= args.limit:
                break
            rec = json.loads(line)
            docs.append(Document(text=rec.get("content") or "", id=str(i)))

    lang = args.language
    lid = LanguageFilter(languages=["ar"], language_threshold=0.65)
    lid.model._model = _FastText(args.model)  # the same local model file instead of a download
    filters = [
        ("lid", lid),
        ("gopher_rep", GopherRepetitionFilter(
            dup_line_frac=0.304, top_n_grams=((2, 0.197), (3, 0.172), (4, 0.146)),
            dup_n_grams=((5, 0.165), (6, 0.153), (7, 0.142), (8, 0.131), (9, 0.12), (10, 0.109)), language=lang)),
        ("gopher_quality", GopherQualityFilter(min_avg_word_length=2, max_avg_word_length=9,
                                               max_non_alpha_words_ratio=0.787, language=lang,
                                               stop_words=["،", "في", "من", "على", "إلى", "عام", "أن", "مع", "أو",
                                                           "هو", "عن", "التي", "كان", "بين", "ما", "كانت", "هي",
                                                           "المتحدة", "بعد"])),
        ("c4", C4QualityFilter(language=lang)),
        ("fineweb", FineWebQualityFilter(line_punct_thr=0.143, char_duplicates_ratio=0.1, new_line_ratio=0.189,
                                         language=lang)),
    ]
    # warm-up outside the timing: model load and spaCy tokenizer construction
    warm = Document(text="نص قصير للتجربة.", id="w")
    for _, flt in filters:
        flt.filter(warm)

    reasons: Counter = Counter()
    kept = 0
    t0 = time.perf_counter()
    for doc in docs:
        ok = True
        for name, flt in filters:
            res = flt.filter(doc)
            passed, why = (res, None) if isinstance(res, bool) else res
            if not passed:
                reasons[f"{name}:{why or 'rejected'}"] += 1
                ok = False
                break
        kept += ok
    seconds = time.perf_counter() - t0
    print(json.dumps({"docs": len(docs), "seconds": seconds, "kept": kept,
                      "nonempty": sum(1 for d in docs if d.text.strip()),
                      "top_reasons": reasons.most_common(8)}))


if __name__ == "__main__":
    main()
