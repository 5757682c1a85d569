import pytest

from native_align.curate.batch import TextBatch
from native_align.curate.signals import Lexicon
from native_align.curate.signals.lexicon import load_wordlist
from tests.curate.texts import REPEATED


def test_stopwords_counted_distinct_on_normalized_words():
    # REPEATED holds "إلى" (x3) and "من": two distinct stopwords. "الى" (no hamza) matches "إلى"; "،" counts.
    out = Lexicon().compute(TextBatch([REPEATED, "ذهب الى البيت، ثم عاد", "لا شيء"]))
    assert out["stopword_count"].tolist() == [2, 2, 0]


def test_badword_ratio_and_custom_lists(tmp_path):
    out = Lexicon().compute(TextBatch(["هذا شرموطه كلام", "كلام نظيف"]))
    assert out["badword_ratio"].tolist() == pytest.approx([1 / 3, 0.0])  # ة/ه folded on both sides
    bad = tmp_path / "bad.txt"
    bad.write_text("# mine\nنظيف\n", encoding="utf-8")
    out = Lexicon(badwords_path=str(bad)).compute(TextBatch(["كلام نظيف"]))
    assert out["badword_ratio"].tolist() == [0.5]


def test_wordlist_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="word list"):
        Lexicon(stopwords_path=str(tmp_path / "nope.txt")).compute(TextBatch(["x"]))
    phrase = tmp_path / "p.txt"
    phrase.write_text("كلمتان هنا\n", encoding="utf-8")
    with pytest.raises(ValueError, match="phrase"):
        load_wordlist(str(phrase))
