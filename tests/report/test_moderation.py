"""The report's moderation section: Spark scoring equals driver scoring, per category before / after."""

from __future__ import annotations

from native_align.moderation.config import ModerationConfig
from native_align.report.moderation import before_after, score_texts, scored

INSULT = "هؤلاء الناس حمير ولا يفهمون شيئا"
CLEAN = "أعلنت وزارة الصحة افتتاح ثلاثة مستشفيات جديدة في الرياض"
OBSCENE = "يا ابن الكلب"


def test_spark_scores_equal_driver_scores(spark):
    cfg = ModerationConfig()
    texts = [INSULT, CLEAN, OBSCENE, None]
    df = spark.createDataFrame([(str(i), t) for i, t in enumerate(texts)], "doc_id string, text string")
    got = {r["doc_id"]: r["m"].asDict() for r in scored(df, "text", "m", cfg).collect()}
    want = score_texts(texts, cfg)
    for i in range(len(texts)):
        assert got[str(i)]["flagged"] == bool(want.loc[i, "flagged"])
    assert got["1"]["flagged"] is False and got["2"]["flagged"] is True


def test_before_after_counts_per_category(spark):
    pairs = spark.createDataFrame([("a", OBSCENE + " " + CLEAN, CLEAN), ("b", CLEAN, CLEAN), ("c", OBSCENE, OBSCENE)],
                                  "doc_id string, original_text string, rewrite string")
    table, _ = before_after(pairs, ModerationConfig())
    row = table.set_index("category").loc["any"]
    assert (row["flagged before"], row["flagged after"]) == (2, 1)
    assert abs(row["share before"] - 2 / 3) < 1e-9
    assert set(table["category"]) <= {"any", "profanity", "sexual", "insult_group", "threat"}
