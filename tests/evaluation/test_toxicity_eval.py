"""`native-align eval toxicity` on MLMA: the lexicon must flag offensive tweets clearly more often than normal ones."""

from __future__ import annotations

import pytest

from native_align.evaluation.toxicity import evaluate, main
from native_align.report.toxicity import Lexicon


@pytest.mark.shared_data
def test_offensive_tweets_have_higher_lexicon_rate(shared_data):
    lexicon = Lexicon.load(shared_data / "wordlists" / "ar_badwords.txt")
    result = evaluate(shared_data / "toxicity" / "mlma_ar.csv", lexicon)
    off, normal = result["offensive"], result["normal"]
    assert off["documents"] > 1000 and normal["documents"] > 500
    assert off["toxic_rate"] > 1.5 * normal["toxic_rate"]
    assert off["hits_per_1k_words"] > normal["hits_per_1k_words"]


@pytest.mark.shared_data
def test_cli_prints_both_rates(shared_data, capsys):
    rc = main(["--data", str(shared_data / "toxicity" / "mlma_ar.csv"),
               "--lexicon", str(shared_data / "wordlists" / "ar_badwords.txt")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "offensive" in out and "normal" in out and "toxic rate" in out


def test_missing_data_is_an_error(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "absent.csv")]) == 2
