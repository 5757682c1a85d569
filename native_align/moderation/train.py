"""Train the moderation classifier on MLMA Arabic; ``--select`` measures the candidate settings on the dev split.

    python -m native_align.moderation.train --data ../shared/data/toxicity/mlma_ar.csv \\
        --out native_align/resources/moderation/mlma_ar.ftz            # the shipped model (train + dev splits)
    python -m native_align.moderation.train --data ../shared/data/toxicity/mlma_ar.csv --select   # the table

The test split (``mlma.split_of``) is never trained on: ``native-align eval toxicity`` reports on it. Training is
deterministic (one thread, fixed seed). Each model of ``--select`` is trained in a fresh process: fastText's
``train_supervised`` run again in a process that already trained occasionally fails with "Encountered NaN".
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from native_align.moderation.mlma import read_mlma
from native_align.moderation.text import match_tokens, model_text

SCHEMES = ("binary", "group", "target")
# The measured choice (docs/moderation.md, "Classifier choice"); every key is a train_supervised argument.
DEFAULT_PARAMS: dict[str, Any] = {"epoch": 10, "lr": 0.5, "wordNgrams": 2, "minn": 2, "maxn": 4, "dim": 50,
                                  "bucket": 200_000, "minCount": 1}
DEFAULT_SCHEME = "target"
DEFAULT_CUTOFF = 40_000  # rows kept by quantization: the shipped model stays near 1.5 MB
SEED = 7


def label_of(row: Any, scheme: str) -> str | None:
    """The fastText label of one MLMA row under ``scheme`` (None: not a training row, e.g. mixed labels)."""
    if pd.isna(row.hostile):
        return None
    if int(row.hostile) == 0:
        return "normal"
    if scheme == "binary":
        return "hostile"
    if int(row.insult_group) == 1:
        return "group" if scheme == "group" else f"group_{row.group_target}"
    return "offensive"


def training_lines(df: pd.DataFrame, scheme: str = DEFAULT_SCHEME) -> list[str]:
    """``__label__X text`` lines, in the frame's order, for rows that have a label and some text."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; known: {SCHEMES}")
    lines = []
    for row in df.itertuples(index=False):
        label, text = label_of(row, scheme), model_text(match_tokens(row.text))
        if label is not None and text:
            lines.append(f"__label__{label} {text}")
    return lines


def train_model(lines: list[str], out: str | Path, params: dict[str, Any] | None = None,
                quantize: bool = True, cutoff: int = DEFAULT_CUTOFF, seed: int = SEED) -> Path:
    """Train (softmax, one thread, fixed seed), optionally quantize (keep the ``cutoff`` rows of largest norm,
    product-quantize), save to ``out``; returns the path."""
    import fasttext

    if not lines:
        raise ValueError("no training lines")
    params = {**DEFAULT_PARAMS, **(params or {})}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "train.txt"
        data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        model = fasttext.train_supervised(input=str(data), loss="softmax", thread=1, seed=seed, verbose=0,
                                          **params)
        if quantize:
            # no retraining after pruning: measured on dev, retraining (more epochs) overfits (AUC 0.81 -> 0.79)
            model.quantize(input=str(data), qnorm=True, retrain=False, cutoff=cutoff, thread=1, verbose=0)
        model.save_model(str(out))
    return out


def evaluate_model(path: str | Path, df: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Figures of a saved model on ``df`` (clean labels only): ``offensive`` (hostile vs normal) and
    ``insult_group`` (group insult vs everything else), at the default threshold 0.5."""
    from native_align.moderation.classifier import ClassifierScorer
    from native_align.moderation.metrics import binary_metrics

    df = df[df["hostile"].notna()]
    scorer = ClassifierScorer(path, window_words=0)
    results = scorer.score(df["text"].tolist())
    out = {"offensive": binary_metrics(df["hostile"].astype(int), [r.scores["profanity"] for r in results])}
    if "insult_group" in scorer.categories:
        out["insult_group"] = binary_metrics(df["insult_group"].astype(int),
                                             [r.scores["insult_group"] for r in results])
    return out


def _fit_and_evaluate(train: pd.DataFrame, dev: pd.DataFrame, scheme: str, params: dict[str, Any],
                      quantize: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = train_model(training_lines(train, scheme), Path(tmp) / "m.ftz", params, quantize=quantize)
        figures = evaluate_model(path, dev)
        figures["size_bytes"] = os.path.getsize(path)
    return figures


def candidates() -> list[tuple[str, str, dict[str, Any], bool]]:
    """(name, scheme, params, quantize) of every setting ``--select`` measures."""
    d = DEFAULT_PARAMS
    words_only = {**d, "minn": 0, "maxn": 0}
    return [
        ("words unigram", DEFAULT_SCHEME, {**words_only, "wordNgrams": 1}, False),
        ("words + bigrams", DEFAULT_SCHEME, words_only, False),
        ("chars 2-4 + bigrams", DEFAULT_SCHEME, d, False),
        ("chars 3-6 + bigrams", DEFAULT_SCHEME, {**d, "minn": 3, "maxn": 6}, False),
        ("chars 2-4, 25 epochs", DEFAULT_SCHEME, {**d, "epoch": 25}, False),
        ("chars 2-4, lr 0.25 x20", DEFAULT_SCHEME, {**d, "epoch": 20, "lr": 0.25}, False),
        ("chars 2-4, dim 100", DEFAULT_SCHEME, {**d, "dim": 100}, False),
        ("binary labels", "binary", d, False),
        ("3 labels (group)", "group", d, False),
        ("chosen, quantized", DEFAULT_SCHEME, d, True),
    ]


def select(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Train every candidate on the train split, measure it on the dev split (never on test)."""
    train, dev = df[df["split"] == "train"], df[df["split"] == "dev"]
    rows = []
    ctx = multiprocessing.get_context("spawn")
    for name, scheme, params, quantize in candidates():
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            figures = pool.submit(_fit_and_evaluate, train, dev, scheme, params, quantize).result()
        rows.append({"name": name, "scheme": scheme, **figures})
    return rows


def _print_selection(rows: list[dict[str, Any]]) -> None:
    print(f"{'setting':<24}{'off AUC':>8}{'off F1':>8}{'grp AUC':>8}{'grp F1':>8}{'size KB':>9}")
    for r in rows:
        grp = r.get("insult_group", {})
        print(f"{r['name']:<24}{r['offensive']['auc']:>8.3f}{r['offensive']['f1']:>8.3f}"
              f"{grp.get('auc', float('nan')):>8.3f}{grp.get('f1', float('nan')):>8.3f}"
              f"{r['size_bytes'] / 1024:>9.0f}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m native_align.moderation.train", description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="MLMA Arabic CSV (columns tweet, sentiment, target)")
    p.add_argument("--out", help="where to write the model (.ftz)")
    p.add_argument("--splits", default="train,dev", help="splits to train on (never include test for shipping)")
    p.add_argument("--scheme", default=DEFAULT_SCHEME, choices=SCHEMES)
    p.add_argument("--no-quantize", action="store_true")
    p.add_argument("--limit", type=int, default=0, help="train on the first N labelled rows only (tests)")
    p.add_argument("--select", action="store_true", help="measure the candidate settings on the dev split")
    args = p.parse_args(argv)
    df = read_mlma(args.data)
    if args.select:
        _print_selection(select(df))
        return 0
    if not args.out:
        p.error("--out is required unless --select")
    splits = {s.strip() for s in args.splits.split(",") if s.strip()}
    train = df[df["split"].isin(splits) & df["hostile"].notna()]
    if args.limit:
        train = train.head(args.limit)
    lines = training_lines(train, args.scheme)
    path = train_model(lines, args.out, quantize=not args.no_quantize)
    print(f"trained on {len(lines)} tweets ({', '.join(sorted(splits))}), scheme {args.scheme}: {path} "
          f"({path.stat().st_size / 1024:.0f} KB)")
    if "test" not in splits:
        for name, m in evaluate_model(path, df[df["split"] == "test"]).items():
            print(f"test {name}: P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} AUC {m['auc']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
