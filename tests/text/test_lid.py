from __future__ import annotations

import numpy as np
import pytest

from native_align.curate.config import CurateConfig
from native_align.text.lid import (LanguageIdentifier, default_model_path, letter_counts, letter_evidence, load_model,
                                   non_arabic_letter_ratio, strip_label)
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
    # Of 4 Arabic-script letters: "کیاب" has two Persian-only letters; "پچاب" two dialect letters, which count only
    # next to a non-Arabic letter ("کچاب": ک + چ); Latin letters do not count.
    ratio = non_arabic_letter_ratio(["کیاب abc", "پچاب", "کچاب", "کتاب", "كتاب", "hello", ""])
    assert np.allclose(ratio, [0.5, 0.0, 0.5, 0.25, 0.0, 0.0, 0.0])


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


# Short dialect sentences written for this test. Each has one or two of گ چ پ in 11-17 letters: over the old 5%
# limit, when those letters counted as non-Arabic.
IRAQI_GULF = ["گلبي ويّاك يا خوي", "شگد حلو هذا المكان", "گلت لك تعال باچر", "وين رايح؟ گول لي", "چذي احسن يا خوي",
              "عندي سالفة اگولها لك"]
MAGHREBI = ["ڨالي خويا راني مريض", "ڭاع ما فهمت والو", "شريت ڤيلو جديد للولد"]
LOANWORD = "جبت پيتزا للعيال"
PERSIAN_SHORT = ["این کتاب را دیروز از کتابخانه گرفتم", "من دیروز به بازار رفتم و چند کتاب خریدم"]


def test_dialect_letters_alone_do_not_count(lid):
    r = lid.decide(IRAQI_GULF + MAGHREBI + [LOANWORD])
    assert r.is_arabic.all(), [s for s, a in zip(IRAQI_GULF + MAGHREBI + [LOANWORD], r.is_arabic) if not a]
    assert (r.non_arabic_letter_ratio == 0).all()
    # Counted as non-Arabic letters (the old rule), one گ in a short Gulf sentence was over the limit.
    old = LanguageIdentifier(non_arabic_letters=lid.non_arabic_letters + "گچپ", dialect_letters="ڤڨڭ")
    assert not old.decide(IRAQI_GULF).is_arabic.any()


def test_persian_letters_still_reject_and_bring_dialect_letters_with_them(lid):
    r = lid.decide(PERSIAN_SHORT)
    assert not r.is_arabic.any() and set(r.lang) == {"fa"}
    counts = letter_counts(PERSIAN_SHORT)
    assert (counts.non_arabic > 0).all() and counts.dialect[0] == 1  # گ of گرفتم counts alongside ی ک
    assert r.non_arabic_letter_ratio[0] == pytest.approx((counts.non_arabic[0] + 1) / counts.arabic[0])


def test_presentation_forms_are_judged_like_the_letters_they_stand_for():
    # ﮔﻠﺒﻲ = گلبي in presentation forms; ﯼ ﮎ = Persian yeh and keheh.
    c = letter_counts(["ﮔﻠﺒﻲ", "گلبي", "ﯼﮎ", "ﻻ"])
    assert list(c.arabic) == [4, 4, 2, 1] and list(c.dialect) == [1, 1, 0, 0] and list(c.non_arabic) == [0, 0, 2, 0]
    assert list(c.keyboard_only) == [1, 1, 0, 0] and list(c.off_keyboard) == [1, 1, 2, 0]


def test_letter_evidence_by_hand():
    # Rows: Arabic-keyboard letters, top label fa 0.5, Arabic 0.3 (close behind) -> credited 0.3 + 0.5;
    # same with Arabic 0.2 (not close: 0.2 < 0.5 x 0.5) -> unchanged; a dialect letter (off the keyboard) -> unchanged;
    # non-Arabic letters with Arabic 0.6 and a neighbour 0.35 (>= 0.5 x 0.6) -> 0; neighbour 0.2 -> unchanged.
    texts = ["كتاب", "كتاب", "كتاب گ", "کتاب", "کتاب"]
    letters = letter_counts(texts)
    arabic, neighbour = np.array([0.3, 0.2, 0.3, 0.6, 0.6]), np.array([0.5, 0.5, 0.5, 0.35, 0.2])
    top_prob, in_script = np.array([0.5, 0.5, 0.5, 0.6, 0.6]), np.ones(5, dtype=bool)
    got = letter_evidence(arabic, neighbour, top_prob, in_script, letters, 0.5)
    assert np.allclose(got, [0.8, 0.2, 0.3, 0.0, 0.6])
    assert np.allclose(letter_evidence(arabic, neighbour, top_prob, in_script, letters, None), arabic)
    outside = letter_evidence(arabic, neighbour, top_prob, np.zeros(5, dtype=bool), letters, 0.5)
    assert outside[0] == pytest.approx(0.3)  # the top label is no Arabic-script language: no credit


def test_model_says_persian_but_the_keyboard_says_arabic(lid):
    # lid.176 gives this Egyptian sentence to fa (0.53) with Arabic close behind (0.40); ك is an Arabic-keyboard
    # letter. The same words typed with the Persian keheh ک are not credited, and lose their Arabic mass.
    egyptian, persian_keyboard = "عارف كده بس مش فاهم", "عارف کده بس مش فاهم"
    plain = LanguageIdentifier(neighbour_margin=None)
    assert plain.decide([egyptian]).lang == ["fa"] and not plain.decide([egyptian]).is_arabic[0]
    r = lid.decide([egyptian, persian_keyboard])
    assert list(r.is_arabic) == [True, False] and r.lang_score[0] > 0.9 and r.lang_score[1] == 0.0
    no_neighbours = LanguageIdentifier(neighbour_labels=())
    assert not no_neighbours.decide([egyptian]).is_arabic[0]


def test_letter_sets_cannot_overlap():
    with pytest.raises(ValueError, match="both"):
        LanguageIdentifier(dialect_letters="گی")
