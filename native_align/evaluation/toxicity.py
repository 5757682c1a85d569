"""``native-align eval toxicity``: the moderation scorers compared on labelled tweets and on clean news.

1. MLMA Arabic, test split (``moderation.mlma.split_of``: by hash, never trained on), tweets with clean labels:
   precision, recall, F1 (at each scorer's own thresholds) and ROC AUC for ``offensive`` (any hostility vs normal;
   the scorer's highest category) and ``insult_group`` (hostility aimed at religion, origin or gender vs the rest).
   ``classifier@0.5`` shows what the default thresholds buy; ``all flagged`` is the base rate to beat.
2. SaudiNewsNet (news, assumed clean): the share of articles each scorer flags, per category, and its top hits —
   read them: on clean news every flag is a false positive unless the article itself insults or threatens.

Figures and their reading are in docs/moderation.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from pathlib import Path
from typing import Any, Iterator, Sequence

from native_align.moderation.base import ModerationResult, ModerationScorer
from native_align.moderation.metrics import binary_metrics
from native_align.moderation.mlma import read_mlma

SHARED = Path(os.environ.get("NATIVE_ALIGN_SHARED_DATA",
                             Path(__file__).resolve().parents[2].parent / "shared" / "data"))
DEFAULT_CSV = SHARED / "toxicity" / "mlma_ar.csv"
DEFAULT_NEWS = SHARED / "corpus" / "saudinewsnet.jsonl.gz"
NEWS_BATCH = 2000


def build_scorers(lexicon: str | None = None, classifier: str | None = None) -> dict[str, ModerationScorer]:
    """The scorers compared: the lexicon and the classifier at their defaults, and the classifier at 0.5."""
    from native_align.moderation.classifier import ClassifierScorer
    from native_align.moderation.lexicon import LexiconScorer

    return {"lexicon": LexiconScorer.from_path(lexicon), "classifier": ClassifierScorer(classifier),
            "classifier@0.5": ClassifierScorer(classifier, {"profanity": 0.5, "insult_group": 0.5})}


def evaluate_mlma(csv_path: str | Path, scorers: dict[str, ModerationScorer]) -> dict[str, Any]:
    """{"counts": {...}, "<class>": {"<scorer>": metrics}} on the test split's clean-label tweets."""
    df = read_mlma(csv_path)
    test = df[df["split"] == "test"]
    mixed = int(test["hostile"].isna().sum())
    test = test[test["hostile"].notna()]
    texts = test["text"].tolist()
    hostile, group = test["hostile"].astype(int).tolist(), test["insult_group"].astype(int).tolist()
    out: dict[str, Any] = {"counts": {"tweets": len(test), "hostile": sum(hostile), "insult_group": sum(group),
                                      "mixed_left_out": mixed}, "offensive": {}, "insult_group": {}}
    for name, scorer in scorers.items():
        results = scorer.score(texts)
        out["offensive"][name] = binary_metrics(hostile, [r.max_score for r in results],
                                                predicted=[r.flagged for r in results])
        if "insult_group" in scorer.categories:
            cut = scorer.thresholds["insult_group"]
            scores = [r.scores["insult_group"] for r in results]
            out["insult_group"][name] = binary_metrics(group, scores, threshold=cut)
    for cls, y in (("offensive", hostile), ("insult_group", group)):
        out[cls]["all flagged"] = binary_metrics(y, [1.0] * len(y))
    return out


def read_news(path: str | Path, limit: int = 0) -> Iterator[tuple[str, str]]:
    """(title, title + newline + content) per article of a SaudiNewsNet-style JSON-lines file (gzip or not)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if limit and i >= limit:
                return
            doc = json.loads(line)
            title = (doc.get("title") or "").strip()
            yield title, f"{title}\n{doc.get('content') or ''}"


def _snippet(result: ModerationResult, text: str, width: int = 60) -> str:
    spans = [s for s in result.spans if s.end - s.start < len(text)] if result.spans else []
    if not spans:
        return text.split("\n", 1)[-1][:width].replace("\n", " ") + "…"
    s = spans[0]
    return (text[max(0, s.start - 25):s.end + 25].replace("\n", " ") + f"  [{s.category}"
            + (f"/{s.target}" if s.target else "") + "]")


def evaluate_news(path: str | Path, scorers: dict[str, ModerationScorer], limit: int = 0,
                  top: int = 10) -> dict[str, Any]:
    """Per scorer: articles, flagged, share, per-category flag counts, and the ``top`` highest-scoring flagged
    articles (score, title, snippet around the first span)."""
    stats = {name: {"articles": 0, "flagged": 0, "by_category": {}, "hits": []} for name in scorers}
    batch: list[tuple[str, str]] = []

    def flush() -> None:
        texts = [t for _, t in batch]
        for name, scorer in scorers.items():
            st = stats[name]
            for (title, text), r in zip(batch, scorer.score(texts)):
                st["articles"] += 1
                for cat in r.flagged_categories(scorer.thresholds):
                    st["by_category"][cat] = st["by_category"].get(cat, 0) + 1
                if r.flagged:
                    st["flagged"] += 1
                    st["hits"].append((r.max_score, title, _snippet(r, text)))
            distinct = {(h[1], h[2]): h for h in sorted(st["hits"], key=lambda h: h[0])}  # reprints: once
            st["hits"] = sorted(distinct.values(), key=lambda h: -h[0])[:top]
        batch.clear()

    for item in read_news(path, limit):
        batch.append(item)
        if len(batch) >= NEWS_BATCH:
            flush()
    if batch:
        flush()
    for st in stats.values():
        st["share"] = st["flagged"] / st["articles"] if st["articles"] else float("nan")
    return stats


def _print_mlma(result: dict[str, Any], scorers: dict[str, ModerationScorer]) -> None:
    c = result["counts"]
    print(f"MLMA test split (by hash, never trained on): {c['tweets']} tweets with clean labels, {c['hostile']} "
          f"hostile ({c['insult_group']} aimed at a group), {c['mixed_left_out']} mixed-label tweets left out")
    print(f"{'class':<14}{'scorer':<16}{'thresholds':<22}{'flagged':>8}{'precision':>10}{'recall':>8}"
          f"{'F1':>7}{'AUC':>7}")
    for cls in ("offensive", "insult_group"):
        for name, m in result[cls].items():
            sc = scorers.get(name)
            cuts = ",".join(f"{sc.thresholds[k]:g}" for k in sc.categories) if sc else "-"
            print(f"{cls:<14}{name:<16}{cuts:<22}{m['flagged']:>8}{m['precision']:>10.3f}{m['recall']:>8.3f}"
                  f"{m['f1']:>7.3f}{m['auc']:>7.3f}")


def _print_news(stats: dict[str, Any]) -> None:
    print("\nSaudiNewsNet (clean news): articles flagged")
    for name, st in stats.items():
        cats = ", ".join(f"{k} {v}" for k, v in sorted(st["by_category"].items())) or "-"
        print(f"  {name:<16}{st['flagged']:>6} / {st['articles']} = {100 * st['share']:.2f}%   ({cats})")
    for name, st in stats.items():
        print(f"\ntop hits, {name}:")
        for score, title, snippet in st["hits"]:
            print(f"  {score:.3f}  {title[:60]}  |  {snippet}")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="native-align eval toxicity", description=__doc__.split("\n")[0])
    p.add_argument("--data", default=str(DEFAULT_CSV), help="MLMA Arabic CSV (columns tweet, sentiment, target)")
    p.add_argument("--news", default=str(DEFAULT_NEWS), help="SaudiNewsNet JSON lines (title, content); "
                                                             "'none' skips the news part")
    p.add_argument("--news-limit", type=int, default=0, help="first N articles only (0: all)")
    p.add_argument("--top", type=int, default=10, help="top hits printed per scorer")
    p.add_argument("--lexicon", default=None, help="lexicon .tsv or one-term-a-line file (default: packaged)")
    p.add_argument("--classifier", default=None, help="fastText model (default: packaged)")
    args = p.parse_args(list(argv) if argv is not None else None)
    if not Path(args.data).is_file():
        print(f"eval toxicity: data not found at {args.data}")
        return 2
    scorers = build_scorers(args.lexicon, args.classifier)
    _print_mlma(evaluate_mlma(args.data, scorers), scorers)
    if args.news != "none":
        if Path(args.news).is_file():
            _print_news(evaluate_news(args.news, scorers, args.news_limit, args.top))
        else:
            print(f"\nSaudiNewsNet not found at {args.news}: news part skipped")
    return 0
