import pytest

from native_align.curate.batch import TextBatch
from native_align.curate.signals import FineWebQuality
from tests.curate.texts import MIXED, REPEATED


def test_counts_by_hand():
    out = FineWebQuality().compute(TextBatch([REPEATED, MIXED]))
    assert out["line_punct_ratio"][0] == 1.0
    assert out["short_line_ratio"][0] == 1.0  # every line is <= 30 chars
    assert out["char_dup_ratio"][0] == pytest.approx(44 / (90 - 3))
    assert out["newline_ratio"][0] == pytest.approx(3 / 16)
    # MIXED: only the line ending in "؟" ends in terminal punctuation; "..." is an ellipsis, not a full stop.
    assert out["line_punct_ratio"][1] == pytest.approx(1 / 4)


def test_arabic_punctuation_ends_lines():
    text = "جملة أولى،\nجملة ثانية؛\nهل هذا سؤال؟\n«قال: نعم.»\nبلا علامة"
    out = FineWebQuality().compute(TextBatch([text]))
    assert out["line_punct_ratio"][0] == pytest.approx(4 / 5)


def test_line_punct_counts_sentences_inside_a_flattened_line():
    article = "جملة أولى هنا. جملة ثانية هنا. رابط الخبر: عنوان"
    assert FineWebQuality().compute(TextBatch([article]))["line_punct_ratio"][0] == pytest.approx(2 / 3)
