"""A small crafted Arabic corpus written as a real `curated` Delta table (seed, annotate and train tests)."""

from __future__ import annotations

import random

from native_align.text.normalize import content_hash

SENTENCES = [
    "أعلنت وزارة الصحة اليوم عن افتتاح {n} مستشفيات جديدة في منطقة الرياض.",
    "وقال المتحدث الرسمي إن المشاريع ستكتمل في عام {y} بتكلفة تبلغ {n} مليون ريال.",
    "شهد مهرجان الكتاب السنوي في جدة حضور {n} ألف زائر من مختلف المدن.",
    "ارتفع مؤشر سوق الأسهم بنسبة {n} في المئة خلال تعاملات الأسبوع الماضي.",
    "أكدت الجامعة أن عدد الطلاب المسجلين في البرامج الجديدة بلغ {n} طالبا.",
    "توقعت هيئة الأرصاد هطول أمطار غزيرة على المناطق الجنوبية حتى نهاية الأسبوع.",
    "افتتح أمير المنطقة مشروع الطرق الجديد الذي يربط المدينة بالمطار الدولي.",
    "وأوضح التقرير أن قطاع الطاقة المتجددة يشهد نموا متسارعا منذ عام {y}.",
    "فاز فريق النادي في المباراة النهائية للدوري بعد أداء قوي من اللاعبين.",
    "تعمل الحكومة على تطوير شبكات المياه والكهرباء في القرى البعيدة.",
]
AD_LINES = ["للتواصل واتساب 0555123456", "زوروا موقعنا www.example.com", "اتصل الآن 0501234567"]


def make_docs(n: int, seed: int = 0, sources: tuple[str, ...] = ("news", "blogs", "forums")) -> list[dict]:
    """``n`` distinct Arabic documents (3-6 sentences ending in a full stop), some with an ad/phone line."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        lines = []
        for _ in range(rng.randint(3, 6)):
            s = rng.choice(SENTENCES).format(n=rng.randint(2, 900), y=rng.randint(2000, 2030))
            lines.append(s)
        if i % 3 == 0:
            lines.insert(rng.randint(1, len(lines) - 1), rng.choice(AD_LINES))
        lines.append(f"وهذا هو الخبر رقم {i + 1} في السلسلة.")
        text = "\n".join(lines)
        docs.append({"doc_id": f"doc-{i:04d}", "source": sources[i % len(sources)], "text": text,
                     "content_hash": content_hash(text)})
    return docs


CURATED_DDL = "doc_id string, source string, url string, title string, date string, text string, " \
              "content_hash string, n_chars long, lang string, quality_score double, boilerplate_lines_removed int"


def write_curated(ctx, docs: list[dict]) -> None:
    rows = [(d["doc_id"], d["source"], None, None, None, d["text"], d["content_hash"], len(d["text"]), "ar", 1.0, 0)
            for d in docs]
    ctx.tables.overwrite("curated", ctx.spark.createDataFrame(rows, CURATED_DDL))
