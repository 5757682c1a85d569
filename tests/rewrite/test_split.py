"""Long documents are cut at paragraph (then sentence, then word) boundaries, under a token budget."""

from __future__ import annotations

from native_align.rewrite.split import join_pieces, piece_budget, split_document
from tests.rewrite.conftest import AR_PARAS


def words(texts):
    return [len(t.split()) for t in texts]


def test_short_document_is_one_unchanged_piece():
    text = "\n".join(AR_PARAS[:2])
    assert split_document(text, 100, words) == [text]


def test_paragraphs_packed_under_budget_and_order_kept():
    text = "\n".join(AR_PARAS * 3)
    pieces = split_document(text, 30, words)
    assert len(pieces) > 1
    assert all(n <= 30 for n in words(pieces))
    # cut only between paragraphs: every paragraph survives whole, in order
    assert join_pieces(pieces).split("\n") == (AR_PARAS * 3)


def test_one_long_paragraph_cut_at_sentences_then_words():
    para = " ".join(AR_PARAS * 2)  # one line, 10 sentences
    pieces = split_document(para, 20, words)
    assert all(n <= 20 for n in words(pieces))
    assert " ".join(pieces).split() == para.split()
    run_on = " ".join(["كلمة"] * 95)  # no sentence end at all
    pieces = split_document(run_on, 20, words)
    assert all(n <= 20 for n in words(pieces)) and sum(words(pieces)) == 95


def test_with_a_real_tokenizer(tiny_lm):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_lm)
    count = lambda ts: [len(tok(t, add_special_tokens=False)["input_ids"]) for t in ts]  # noqa: E731
    text = "\n".join(AR_PARAS * 4)
    pieces = split_document(text, 120, count)
    assert len(pieces) > 1 and all(n <= 120 for n in count(pieces))


def test_piece_budget_leaves_room_for_the_rewrite():
    assert piece_budget(4096, 600, 1.5) == int((4096 - 600) / 2.5)
    assert piece_budget(100, 600, 1.0) == 32  # never below the floor
