"""Lexicon matching: Arabic folding, proclitics, phrases, symbols; Spark scoring equals driver scoring."""

from __future__ import annotations

import math

from native_align.report.toxicity import Lexicon, score_frame, score_texts, summarize, summary_frame

TERMS = ["كلب", "حمار", "كس امك", "🖕", "مص", "# a comment", ""]


def lex() -> Lexicon:
    return Lexicon.from_terms(TERMS, source="test")


def test_parses_words_phrases_symbols():
    lx = lex()
    assert lx.words == frozenset({"كلب", "حمار", "مص"})
    assert lx.phrases == (("كس", "امك"),)
    assert lx.symbols == ("🖕",)
    assert len(lx) == 5


def test_hits_fold_diacritics_tatweel_and_proclitics():
    lx = lex()
    assert lx.hits("هذا كلب") == 1
    assert lx.hits("هذا كَلْـب") == 1            # harakat + tatweel
    assert lx.hits("والكلب والحمار") == 2         # proclitics و+ال
    assert lx.hits("قال كس امك ثم 🖕🖕") == 3      # one phrase, two symbols
    assert lx.hits("كس وحده") == 0                # only the phrase is listed
    assert lx.hits("بمص") == 0                   # a two-letter term is never found inside a longer word
    assert lx.hits("مصر بلد جميل") == 0
    assert lx.hits("") == 0 and lx.hits(None) == 0


def test_summary_counts_docs_with_hits_and_rate_per_1k():
    texts = ["كلب كلب واحد", "نص نظيف تماما هنا", "حمار"]
    scores = score_texts(lex(), texts)
    assert scores["hits"].tolist() == [2, 0, 1]
    assert scores["words"].tolist() == [3, 4, 1]
    s = summarize(scores["hits"], scores["words"])
    assert s["documents"] == 3 and s["toxic_docs"] == 2
    assert math.isclose(s["toxic_rate"], 2 / 3)
    assert math.isclose(s["hits_per_1k_words"], 1000 * 3 / 8)


def test_spark_scoring_matches_driver(spark):
    texts = ["كلب كلب واحد", "نص نظيف تماما هنا", "حمار", None]
    df = spark.createDataFrame([(str(i), t) for i, t in enumerate(texts)], "doc_id string, text string")
    scored = score_frame(df, lex(), "text", "orig")
    rows = {r["doc_id"]: (r["orig_hits"], r["orig_words"]) for r in scored.collect()}
    assert rows == {"0": (2, 3), "1": (0, 4), "2": (1, 1), "3": (0, 0)}
    s = summary_frame(scored, "orig").first()
    assert (s["documents"], s["toxic_docs"], s["hits"], s["words"]) == (4, 2, 3, 8)
    assert math.isclose(s["toxic_rate"], 0.5)
    assert math.isclose(s["hits_per_1k_words"], 375.0)
