"""The shipped MLMA fastText model: loads, separates crafted hostile from clean text; training round trip."""

from __future__ import annotations

import subprocess
import sys

import pytest

from native_align.moderation.classifier import DEFAULT_MODEL, ClassifierScorer, windows

HOSTILE = ["يا خنزير يا ابن الكلب يا وسخ", "الله يلعن شاربين بول البعير يا كلاب يا خنازير",
           "انت حيوان وسخ وحقير يا ديوث", "يا ولاد الوسخة يا حرامية الله ياخدكم"]
CLEAN = ["أعلنت وزارة التعليم عن بدء العام الدراسي الجديد في جميع مدارس المملكة يوم الأحد المقبل",
         "ارتفعت أسعار النفط في الأسواق العالمية خلال تعاملات اليوم بعد قرار أوبك",
         "افتتح أمير المنطقة معرض الكتاب الدولي بمشاركة أكثر من خمسمائة دار نشر",
         "أكد الطبيب أن ممارسة الرياضة بانتظام تقلل من خطر الإصابة بأمراض القلب"]


@pytest.fixture(scope="module")
def scorer() -> ClassifierScorer:
    return ClassifierScorer()


def test_shipped_model_is_small_and_scores_two_categories(scorer):
    assert DEFAULT_MODEL.stat().st_size < 2 * 1024 * 1024
    assert scorer.categories == ("profanity", "insult_group")
    assert scorer.thresholds["profanity"] == 0.9 and scorer.thresholds["sexual"] == 0.5


def test_separates_crafted_hostile_from_clean(scorer):
    hostile, clean = scorer.score(HOSTILE), scorer.score(CLEAN)
    assert min(r.scores["profanity"] for r in hostile) > max(r.scores["profanity"] for r in clean)
    assert all(r.flagged for r in hostile) and not any(r.flagged for r in clean)
    assert all(0.0 <= v <= 1.0 for r in hostile + clean for v in r.scores.values())


def test_group_insult_gets_a_target_span(scorer):
    [res] = scorer.score(["الله يلعن شاربين بول البعير يا كلاب يا خنازير"])
    group = [s for s in res.spans if s.category == "insult_group"]
    assert group and group[0].target == "ethnicity"


def test_windows_find_a_hostile_passage_and_point_at_it():
    text = " ".join(CLEAN * 3) + " يا خنزير يا ابن الكلب يا وسخ يا حيوان " + " ".join(CLEAN * 3)
    whole, windowed = ClassifierScorer(window_words=0), ClassifierScorer(window_words=12)
    assert windowed.score([text])[0].scores["profanity"] > whole.score([text])[0].scores["profanity"]
    spans = [s for s in windowed.score([text])[0].spans if s.category == "profanity"]
    assert spans and all("خنزير" in s.text for s in spans) and all(text[s.start:s.end] == s.text for s in spans)


def test_windows_cover_every_token():
    assert windows(5, 0) == [(0, 5)] and windows(5, 8) == [(0, 5)]
    assert windows(10, 4) == [(0, 4), (2, 6), (4, 8), (6, 10)]
    assert windows(11, 4)[-1] == (7, 11)


def test_empty_texts_score_zero(scorer):
    assert [r.flagged for r in scorer.score(["", None, "@user @url"])] == [False, False, False]


def test_missing_model_says_how_to_train(tmp_path):
    with pytest.raises(FileNotFoundError, match="native_align.moderation.train"):
        ClassifierScorer(tmp_path / "absent.ftz")


@pytest.mark.shared_data
def test_training_round_trip_in_a_subprocess(shared_data, tmp_path):
    out = tmp_path / "small.ftz"
    proc = subprocess.run([sys.executable, "-m", "native_align.moderation.train", "--data",
                           str(shared_data / "toxicity" / "mlma_ar.csv"), "--out", str(out), "--splits", "train",
                           "--limit", "400"], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "trained on 400 tweets" in proc.stdout and "test offensive" in proc.stdout
    small = ClassifierScorer(out)
    assert small.categories == ("profanity", "insult_group")
    assert set(small.labels) == {"normal", "offensive", "group_ethnicity", "group_gender", "group_religion"}
    assert len(small.score(HOSTILE + CLEAN)) == 8
