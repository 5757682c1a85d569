from __future__ import annotations

from native_align.pairs.chunks import chunk_document, ends_sentence, estimate_tokens, keep_chunk

from tests.pairs.texts import PARK, VILLAGE


def test_estimate_tokens_counts_characters():
    assert estimate_tokens(["", "abc", "abcd", "ا" * 30], chars_per_token=3.0) == [0, 1, 2, 10]
    assert estimate_tokens(["abcdefgh"], chars_per_token=4) == [2]


def test_prose_checks():
    assert ends_sentence("انتهى الاجتماع.") and ends_sentence("هل انتهى؟") and ends_sentence('قال: «نعم.»')
    assert not ends_sentence("الرئيسية » أخبار")
    long_prose = VILLAGE
    assert keep_chunk(long_prose, 100)
    assert not keep_chunk(long_prose, 10)  # below min tokens
    assert not keep_chunk("قصير جدا.", 100)  # too few words
    assert not keep_chunk(long_prose.rstrip("."), 100)
    assert keep_chunk(long_prose.rstrip("."), 100, require_sentence_end=False)


def test_chunks_stay_within_budget_and_in_order():
    doc = "\n".join([PARK, VILLAGE, PARK.replace("الحديقة", "المكتبة"), VILLAGE.replace("القرية", "البلدة")])
    chunks = chunk_document(doc, max_tokens=160, min_tokens=64)
    counts = estimate_tokens(chunks)
    assert len(chunks) >= 3
    assert all(64 <= n <= 160 for n in counts), counts
    # every chunk is doc text, in document order
    pos = 0
    for chunk in chunks:
        first = chunk.split("\n")[0]
        found = doc.find(first, pos)
        assert found >= pos
        pos = found + len(first)
        assert all(line in doc for line in chunk.split("\n"))


def test_a_custom_counter_is_used():
    words = lambda texts: [len(t.split()) for t in texts]  # noqa: E731
    chunks = chunk_document(PARK + "\n" + VILLAGE, max_tokens=60, min_tokens=20, count_tokens=words)
    assert chunks and all(20 <= len(c.split()) <= 60 for c in chunks)


def test_short_or_unfinished_documents_give_no_chunk():
    assert chunk_document("") == []
    assert chunk_document("خبر قصير من سطر واحد.") == []
    assert chunk_document(VILLAGE.replace(".", "،"), min_tokens=10) == []


def test_a_short_tail_is_topped_up_from_the_piece_before():
    # four ~37-token lines fill a 160-token piece; greedy packing leaves the ~21-token last line alone, below
    # min_tokens. Topping up moves lines over until both pieces reach it, so no line is lost.
    line = "وتواصل فرق الصيانة أعمالها في الشوارع الرئيسية للمدينة منذ بداية الشهر الجاري"
    lines = [f"{line} ثم انتهت المرحلة {word} بنجاح." for word in ("الأولى", "الثانية", "الثالثة", "الرابعة")]
    lines.append("وستبدأ المرحلة التالية بعد عطلة العيد مباشرة كما أعلنت البلدية.")
    doc = "\n".join(lines)
    chunks = chunk_document(doc, max_tokens=160, min_tokens=64)
    assert len(chunks) == 2
    assert all(64 <= n <= 160 for n in estimate_tokens(chunks)), estimate_tokens(chunks)
    assert "\n".join(chunks) == doc
