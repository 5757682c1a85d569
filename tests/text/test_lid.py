import numpy as np
import pytest

from native_align.curate.config import CurateConfig
from native_align.text.lid import (LanguageIdentifier, default_model_path, load_model, non_arabic_letter_ratio, strip_label)
from tests.curate.texts import EGYPTIAN, ENGLISH, NEWS, PERSIAN, URDU


@pytest.fixture(scope="module")
def lid():
    return LanguageIdentifier.from_config(CurateConfig())


def test_real_sentences(lid):
    r = lid.decide([NEWS, EGYPTIAN, ENGLISH, PERSIAN, URDU, ""])
    assert list(r.is_arabic) == [True, True, False, False, False, False]
    assert r.lang[0] == "ar" and r.lang[2] == "en" and r.lang[3] == "fa"
    assert r.lang_score[0] > 0.9 and r.lang_score[2] < 0.01
    assert 0.0 <= r.lang_score.min() and r.lang_score.max() <= 1.0


def test_newlines_do_not_change_prediction(lid):
    one_line = lid.decide([NEWS.replace("\n", " ")])
    multi = lid.decide([NEWS])
    assert one_line.lang == multi.lang
    assert one_line.lang_score[0] == pytest.approx(multi.lang_score[0], abs=1e-6)


def test_non_arabic_letters_ratio_by_hand():
    # "پچ" are two non-Arabic letters among 4 Arabic-script letters; Latin letters do not count.
    ratio = non_arabic_letter_ratio(["پچاب abc", "كتاب", "hello", ""])
    assert np.allclose(ratio, [0.5, 0.0, 0.0, 0.0])


def test_letter_check_rejects_even_when_fasttext_says_arabic():
    # The letter check alone turns a confident Arabic prediction into "not Arabic".
    strict = LanguageIdentifier(threshold=0.0, max_non_arabic_letter_ratio=0.0)
    assert list(strict.decide(["كتاب جميل", "کتاب جمیل"]).is_arabic) == [True, False]


def test_label_prefix_and_predict_rows(lid):
    prefixed = LanguageIdentifier(arabic_labels=["__label__ar", "__label__arz"])
    a, b = lid.decide([EGYPTIAN]), prefixed.decide([EGYPTIAN])
    assert a.lang_score[0] == b.lang_score[0]
    rows = lid.predict([NEWS, ENGLISH])
    assert rows[0].is_arabic and rows[0].score == rows[0].lang_score and not rows[1].is_arabic
    assert lid.arabic_scores([ENGLISH]) == [0.0]
    assert strip_label("__label__arb_Arab") == "arb_Arab"


def test_single_string_and_bad_settings_are_clear_errors(lid, tmp_path):
    with pytest.raises(TypeError, match="list"):
        lid.predict(NEWS)
    with pytest.raises(ValueError, match="k=-1"):
        LanguageIdentifier(k=-1)
    with pytest.raises(FileNotFoundError, match="lid_model_path"):
        LanguageIdentifier(model_path=str(tmp_path / "missing.bin")).decide(["x"])


def test_model_loads_once_per_process():
    assert load_model(None) is load_model(default_model_path())
