"""Builders for the dedup tests: `documents` and `signals` rows made directly (ingest/curate are other stages)."""

from __future__ import annotations

import random

import pytest

from native_align.text.normalize import content_hash

# A fixed pool of Arabic words so that generated documents look like Arabic text to the normalizer.
_WORDS = ("الحكومة وزارة المملكة الرياض مدينة مشروع التعليم الصحة الاقتصاد السوق النفط الطاقة الشباب الرياضة "
          "المباراة الفريق الملعب الجامعة الطلاب المعلمين المستشفى المرضى الأطباء الطريق السيارات المطار الرحلات "
          "السياحة الفندق المطعم الثقافة المعرض الكتاب الشعر التاريخ المتحف البحر الصحراء الأمطار الطقس الحرارة "
          "الأسعار البنك الاستثمار الشركة العمال المصنع الزراعة المياه الكهرباء الاتصالات الإنترنت الهاتف الأمن "
          "الشرطة المحكمة القانون المجلس الرئيس الأمير الملك الوزير السفير العلاقات التعاون الاتفاقية المؤتمر").split()


def arabic_text(seed: int, n_words: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) + str(rng.randrange(1000)) for _ in range(n_words))


def edit_words(text: str, n_edits: int, seed: int) -> str:
    """Replace n_edits words (deterministically) with new tokens."""
    rng = random.Random(seed)
    toks = text.split(" ")
    for pos in rng.sample(range(len(toks)), n_edits):
        toks[pos] = f"تعديل{rng.randrange(10**6)}"
    return " ".join(toks)


def doc(doc_id: str, text: str, quality: float | None = 0.5, date: str | None = "2015-07-01",
        keep: bool = True, source: str = "test") -> dict:
    return {"doc_id": doc_id, "text": text, "quality_score": quality, "date": date, "keep": keep, "source": source}


@pytest.fixture
def make_docs(spark):
    """rows (from `doc`) -> the frame the dedup transformations take (documents ⨝ signals columns)."""

    def build(rows: list[dict]):
        data = [(r["doc_id"], r.get("source", "test"), f"http://x/{r['doc_id']}", "t", r.get("date"), r["text"],
                 content_hash(r["text"]), len(r["text"]), "ar", r.get("quality_score")) for r in rows]
        return spark.createDataFrame(
            data, "doc_id string, source string, url string, title string, date string, text string, "
                  "content_hash string, n_chars long, lang string, quality_score double")

    return build


def write_tables(ctx, rows: list[dict]) -> None:
    """rows -> `documents` and `signals` Delta tables in the context's table root."""
    spark = ctx.spark
    documents = spark.createDataFrame(
        [(r["doc_id"], r.get("source", "test"), f"http://x/{r['doc_id']}", "t", r.get("date"), r["text"],
          content_hash(r["text"]), len(r["text"])) for r in rows],
        "doc_id string, source string, url string, title string, date string, text string, "
        "content_hash string, n_chars long")
    signals = spark.createDataFrame(
        [(r["doc_id"], r.get("source", "test"), content_hash(r["text"]), "ar", r.get("quality_score"),
          bool(r.get("keep", True)), [] if r.get("keep", True) else ["test_reject"]) for r in rows],
        "doc_id string, source string, content_hash string, lang string, quality_score double, keep boolean, "
        "reject_reasons array<string>")
    ctx.tables.overwrite("documents", documents)
    ctx.tables.overwrite("signals", signals)
