import numpy as np
import pyarrow as pa

from native_align.curate.batch import TextBatch, normalize_words


def test_words_lines_paragraphs():
    b = TextBatch(["كَتَبَ الولدُ، درسه.\n\n  سطر ثان  \n", None, "a-b 12"])
    assert b.n_words.tolist() == [5, 0, 3]
    assert b.words.to_pylist()[:2] == ["كَتَبَ", "الولدُ"]  # harakat stay inside their word
    assert b.lines.count.tolist() == [2, 0, 1]
    assert b.paragraphs.count.tolist() == [2, 0, 1]
    assert b.lines.text.to_pylist()[1] == "سطر ثان"


def test_normalized_vocabulary_folds_variants():
    b = TextBatch(["إلى الى إلي", "مدرسة مدرسه"])
    ids = b.word_ids
    assert ids[0] == ids[1] and ids[3] == ids[4]
    assert normalize_words(["ـ", "أَحمد"]) == ["", "احمد"]


def test_containing_maps_hits_to_lines():
    b = TextBatch(pa.array(["one\nPrivacy Policy here\nx", "none"]))
    assert b.lines.containing(["privacy policy"]).tolist() == [False, True, False, False]
