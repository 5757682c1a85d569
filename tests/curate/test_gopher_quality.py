import pytest

from native_align.curate.batch import TextBatch
from native_align.curate.signals import GopherQuality
from tests.curate.texts import MIXED, REPEATED


def test_counts_by_hand():
    out = GopherQuality().compute(TextBatch([REPEATED, MIXED, ""]))
    assert out["n_words"].tolist() == [16, 12, 0]
    assert out["mean_word_length"][0] == pytest.approx((3 * (3 + 5 + 3 + 7) + (3 + 5 + 2 + 7)) / 16)
    assert out["alpha_word_ratio"][0] == 1.0
    # MIXED: 12 words, "2015" has no letter; two '#'; one '…' and one '...'; 2 of 4 lines are bullets and
    # 2 of 4 end with an ellipsis.
    assert out["alpha_word_ratio"][1] == pytest.approx(11 / 12)
    assert out["hash_ratio"][1] == pytest.approx(2 / 12)
    assert out["ellipsis_ratio"][1] == pytest.approx(2 / 12)
    assert out["bullet_lines_ratio"][1] == pytest.approx(0.5)
    assert out["ellipsis_lines_ratio"][1] == pytest.approx(0.5)
    assert out["mean_word_length"][2] == 0.0


def test_rules_name_what_failed():
    fam = GopherQuality()
    out = fam.compute(TextBatch([MIXED]))
    failed = {r.name for r in fam.rules() if r.fails(out[r.column])[0]}
    assert failed == {"gopher_too_few_words", "gopher_hash_ratio", "gopher_ellipsis_ratio",
                      "gopher_ellipsis_lines"}
    assert not {r.name for r in GopherQuality(min_words=None).rules() if r.threshold is not None} \
        & {"gopher_too_few_words"}
