import pytest

from native_align.curate.batch import TextBatch
from native_align.curate.signals import GopherRepetition
from tests.curate.texts import L1, REPEATED


def test_repeated_lines_and_ngrams_by_hand():
    assert len(REPEATED) == 90
    out = {k: v[0] for k, v in GopherRepetition().compute(TextBatch([REPEATED])).items()}
    assert out["dup_line_frac"] == pytest.approx(2 / 4)
    assert out["dup_line_char_frac"] == pytest.approx(2 * len(L1) / 90)
    assert out["dup_para_frac"] == 0.0
    # "ذهب الولد" x3 = (3+5+1) x 3; "ذهب الولد إلى" = (3+5+3+2) x 3; the whole first line's words x3.
    assert out["top_2gram_frac"] == pytest.approx(27 / 90)
    assert out["top_3gram_frac"] == pytest.approx(39 / 90)
    assert out["top_4gram_frac"] == pytest.approx(63 / 90)
    # Only the 5-gram "المدرسة ذهب الولد إلى المدرسة" repeats (words 11..15): 7+3+5+3+7 chars.
    assert out["dup_5gram_frac"] == pytest.approx(25 / 90)
    assert out["dup_6gram_frac"] == 0.0


def test_ngrams_never_cross_documents_and_no_repetition_is_zero():
    # the same 4 words end doc 0 and start doc 1: no n-gram repeats inside either doc
    out = GopherRepetition().compute(TextBatch(["مرحبا بكم في الموقع", "مرحبا بكم في الموقع", ""]))
    assert out["top_2gram_frac"].tolist() == [0.0, 0.0, 0.0]
    assert out["dup_5gram_frac"].tolist() == [0.0, 0.0, 0.0]


def test_repeated_paragraphs_and_rules():
    text = "فقرة أولى هنا.\n\nفقرة ثانية.\n\nفقرة أولى هنا."
    out = GopherRepetition().compute(TextBatch([text]))
    assert out["dup_para_frac"][0] == pytest.approx(1 / 3)
    assert out["dup_para_char_frac"][0] == pytest.approx(len("فقرة أولى هنا.") / len(text))
    fam = GopherRepetition(max_dup_para_frac=0.3)
    failed = [r.name for r in fam.rules() if r.fails(out[r.column])[0]]
    assert "rep_dup_para_frac" in failed


def test_bad_ngram_sizes_are_config_errors():
    with pytest.raises(ValueError, match="5..10"):
        GopherRepetition(max_dup_ngram_frac={4: 0.1})
