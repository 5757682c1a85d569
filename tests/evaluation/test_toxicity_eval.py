"""`native-align eval toxicity`: the scorers on the MLMA test split and on clean news."""

from __future__ import annotations

import pytest

from native_align.evaluation.toxicity import build_scorers, evaluate_mlma, evaluate_news, main


@pytest.fixture(scope="module")
def scorers():
    return build_scorers()


@pytest.mark.shared_data
def test_mlma_test_split_figures(shared_data, scorers):
    result = evaluate_mlma(shared_data / "toxicity" / "mlma_ar.csv", scorers)
    assert result["counts"]["tweets"] > 500 and result["counts"]["mixed_left_out"] > 0
    off = result["offensive"]
    base = off["all flagged"]["precision"]
    assert off["classifier"]["auc"] > 0.75 > off["lexicon"]["auc"] > 0.55
    assert off["classifier"]["precision"] > base + 0.1 and off["lexicon"]["precision"] > base + 0.05
    assert off["classifier@0.5"]["recall"] > off["classifier"]["recall"]
    assert set(result["insult_group"]) == {"lexicon", "classifier", "classifier@0.5", "all flagged"}
    assert result["insult_group"]["classifier"]["auc"] > 0.55


@pytest.mark.shared_data
def test_news_flags_are_rare_and_listed(shared_data, scorers):
    stats = evaluate_news(shared_data / "corpus" / "saudinewsnet.jsonl.gz", scorers, limit=1500, top=3)
    assert all(st["articles"] == 1500 for st in stats.values())
    assert stats["lexicon"]["share"] < 0.005 and stats["classifier"]["share"] < 0.02
    assert stats["classifier@0.5"]["share"] > 0.2  # why the classifier's default thresholds are 0.9 / 0.7
    assert len(stats["classifier@0.5"]["hits"]) == 3


@pytest.mark.shared_data
def test_cli_prints_both_parts(shared_data, capsys):
    rc = main(["--data", str(shared_data / "toxicity" / "mlma_ar.csv"), "--news-limit", "300", "--top", "2"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "MLMA test split" in out and "offensive" in out and "insult_group" in out and "AUC" in out
    assert "SaudiNewsNet" in out and "top hits, lexicon" in out and "top hits, classifier" in out


def test_missing_data_is_an_error(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "absent.csv")]) == 2
