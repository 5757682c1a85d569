"""Boilerplate lines: counted in distinct documents, removed from text, never emptying a document."""

from __future__ import annotations

from native_align.dedup.boilerplate import (boilerplate_positions, line_hashes, min_docs_for, strip_boilerplate)
from tests.dedup.conftest import arabic_text

FOOTER = "جميع الحقوق محفوظة لصحيفة الاخبار ٢٠١٥"
FOOTER_VARIANT = "جميعُ الحقوقِ محفوظةٌ لصحيفة الأخبار 2015"  # same line after normalization


def test_min_docs_for():
    assert min_docs_for(1000, 20, 0.0) == 20
    assert min_docs_for(1000, 20, 0.05) == 50


def test_footer_removed_and_counted(spark):
    rows = []
    for i in range(6):
        footer = FOOTER if i % 2 else FOOTER_VARIANT
        body = arabic_text(i, 30)
        rows.append((f"d{i}", f"{body}\n\n{footer}\nشارك"))
    rows.append(("only", f"{FOOTER}\n\n"))          # nothing but boilerplate: left unchanged
    rows.append(("twice", f"{FOOTER}\n{arabic_text(99, 20)}\n{FOOTER}"))
    rows.append(("clean", arabic_text(50, 40)))
    docs = spark.createDataFrame(rows, "doc_id string, text string")
    lines = line_hashes(docs, min_words=3)
    removed = boilerplate_positions(lines, min_docs=5)
    out = {r["doc_id"]: r for r in strip_boilerplate(docs, removed).collect()}
    for i in range(6):
        assert out[f"d{i}"]["text"] == f"{arabic_text(i, 30)}\n\nشارك"  # short line "شارك" is never counted
        assert out[f"d{i}"]["boilerplate_lines_removed"] == 1
    assert out["twice"]["text"] == arabic_text(99, 20) and out["twice"]["boilerplate_lines_removed"] == 2
    assert out["only"]["text"] == f"{FOOTER}\n\n" and out["only"]["boilerplate_lines_removed"] == 0
    assert out["clean"]["text"] == arabic_text(50, 40) and out["clean"]["boilerplate_lines_removed"] == 0


def test_below_threshold_nothing_removed(spark):
    docs = spark.createDataFrame([(f"d{i}", f"{arabic_text(i, 10)}\n{FOOTER}") for i in range(3)],
                                 "doc_id string, text string")
    removed = boilerplate_positions(line_hashes(docs, 3), min_docs=4)
    assert removed.count() == 0
