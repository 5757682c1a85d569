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


def test_character_pass_in_small_slices_equals_one_pass():
    from native_align.curate import chars
    from tests.curate.texts import MIXED, NEWS, PERSIAN

    texts = [NEWS, "", None, "a،b»c…d\xa0e😀f 12", PERSIAN, "  ", MIXED, "ﻻ ﷲ x\ty"] * 3
    whole, sliced = TextBatch(texts), TextBatch(texts)
    sliced.chunk_bytes = 7  # most slices hold one text, some texts span several
    for bit in chars.COUNTED_BITS:
        assert whole.class_count(bit).tolist() == sliced.class_count(bit).tolist()
    assert whole.n_chars.tolist() == sliced.n_chars.tolist() == [len(t or "") for t in texts]
    assert whole.words.to_pylist() == sliced.words.to_pylist()
    assert whole.word_doc.tolist() == sliced.word_doc.tolist()
    assert "😀" not in "".join(sliced.words.to_pylist())  # a symbol separates words
