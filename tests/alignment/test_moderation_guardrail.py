"""moderation_missed: a rewrite that keeps what the code of conduct removes (and the original had) is rejected, with
the kept span in the details; the same rewrite without it passes; numbers that are no contact never fire."""

from __future__ import annotations

from typing import Sequence

import pytest

from native_align.alignment.config import GuardrailConfig
from native_align.alignment.guardrails import check_rewrite, check_rewrites
from native_align.evaluation.guardrails import calibrate_news, reference_clean
from native_align.moderation.base import ModerationResult, ModerationScorer
from native_align.moderation.config import ModerationConfig
from native_align.moderation.lexicon import LexiconScorer
from native_align.moderation.removable import contact_items, removal_check
from native_align.settings import build_settings

BASE = ("أعلنت أمانة المنطقة افتتاح حديقة جديدة في عام 2015 بتكلفة 3,500,000 ريال، "
        "وقال المتحدث إن الحديقة تضم ملاعب للأطفال وممرات للمشي.")
CFG = GuardrailConfig(check_language=False)

# (what the original adds, what the kept rewrite holds of it, the text expected in the details)
KEPT = [
    ("للحجز على الجوال 0551234567 يوميا.", "للحجز على الجوال 0551234567 يوميا.", "phone «0551234567»"),
    ("للحجز على الجوال ٠٥٥١٢٣٤٥٦٧ يوميا.", "للحجز على الجوال ٠٥٥١٢٣٤٥٦٧ يوميا.", "phone «٠٥٥١٢٣٤٥٦٧»"),
    ("للحجز على الجوال 0551234567 يوميا.", "للحجز اتصل على ٠٥٥ ١٢٣ ٤٥٦٧ يوميا.", "phone «٠٥٥ ١٢٣ ٤٥٦٧»"),
    ("للحجز: +966 55 123 4567 يوميا.", "للحجز 0551234567 يوميا.", "phone «0551234567»"),
    ("والاستفسارات على البريد info@hadiqa.sa دائما.", "والاستفسارات على البريد INFO@hadiqa.sa دائما.",
     "email «INFO@hadiqa.sa»"),
    ("التفاصيل على www.hadiqa-offers.com/sale اليوم.", "التفاصيل على موقع hadiqa-offers.com اليوم.",
     "url «hadiqa-offers.com»"),
    ("وحساب الحديقة @hadiqa_riyadh على تويتر.", "وحساب الحديقة @hadiqa_riyadh على تويتر.",
     "handle «@hadiqa_riyadh»"),
    ("وصاح أحدهم: يا ابن الكلب.", "وصاح أحدهم: يا ابن الكلب.", "profanity «ابن الكلب»"),
    ("احجز الآن واستمتع بالعرض.", "واحجز الآن واستمتع بالعرض.", "ad «واحجز الآن»"),
    ("التوصيل مجاني لكل الأحياء.", "التوصيل مجاني لكل الأحياء.", "ad «التوصيل مجاني»"),
]


@pytest.mark.parametrize("extra, kept, shown", KEPT)
def test_a_kept_item_is_rejected_with_its_span(extra, kept, shown):
    res = check_rewrite(f"{BASE} {extra}", f"{BASE} {kept}", CFG)
    assert res.reasons == ["moderation_missed"], res.details
    assert shown in res.details["moderation_missed"]


@pytest.mark.parametrize("extra, kept, shown", KEPT)
def test_the_same_rewrite_without_it_passes(extra, kept, shown):
    assert check_rewrite(f"{BASE} {extra}", BASE, CFG).ok


def test_numbers_that_are_no_contact_pass():
    original = f"{BASE} وبلغ عدد الزوار 1500000 زائر في 2016، والهاتف 0551234567 للحجز."
    rewrite = f"{BASE} وبلغ عدد الزوار 1500000 زائر في 2016."
    res = check_rewrite(original, rewrite, CFG)
    assert res.ok, res.details
    assert [it.kind for it in contact_items(original)] == ["phone"]
    assert contact_items("سجلت الأسهم 3.5% في 12/05/2015 ونمت 1,250,000 في U.S.A.") == []


def test_only_items_the_original_had_count():
    # the worker did not invent this contact: another check's business, not moderation_missed
    assert check_rewrite(BASE, f"{BASE} للحجز 0551234567.", CFG).ok
    # the original's phone and a different phone in the rewrite: not the same item
    assert check_rewrite(f"{BASE} الهاتف 0551234567.", f"{BASE} الهاتف 0559876543.", CFG).ok


def test_switches_and_kinds():
    original, rewrite = f"{BASE} احجز الآن!", f"{BASE} احجز الآن!"
    assert not check_rewrite(original, rewrite, CFG).ok
    assert check_rewrite(original, rewrite, GuardrailConfig(check_language=False, check_moderation=False)).ok
    no_ads = GuardrailConfig(check_language=False, moderation_kinds=["phone", "email", "url", "handle", "moderation"])
    assert check_rewrite(original, rewrite, no_ads).ok


def test_a_hit_below_the_threshold_is_not_a_hit():
    original = rewrite = f"{BASE} وصاح أحدهم: يا ابن الكلب."
    assert not check_rewrite(original, rewrite, CFG).ok
    lenient = ModerationConfig(thresholds={"profanity": 0.7})  # one lexicon hit scores 0.5
    assert check_rewrite(original, rewrite, CFG, moderation=lenient).ok


class Counting(ModerationScorer):
    """The packaged lexicon, counting ``score`` calls and their sizes."""

    name = "counting"
    term_spans = True

    def __init__(self):
        super().__init__()
        self.inner = LexiconScorer()
        self.calls: list[int] = []

    def score(self, texts: Sequence[str | None]) -> list[ModerationResult]:
        self.calls.append(len(texts))
        return self.inner.score(texts)


def test_batch_scores_originals_once_and_only_needed_rewrites_once():
    originals = [f"{BASE} {extra}" for extra, _, _ in KEPT]
    rewrites = [f"{BASE} {kept}" for _, kept, _ in KEPT]
    scorer = Counting()
    batch = check_rewrites(originals, rewrites, CFG, moderation=scorer)
    assert scorer.calls == [len(KEPT), 1]  # only the insult's rewrite is scored again
    assert all(r.reasons == ["moderation_missed"] for r in batch)
    single = [check_rewrite(o, r, CFG) for o, r in zip(originals, rewrites)]
    assert [b.details for b in batch] == [s.details for s in single]


class Flagging(ModerationScorer):
    """A span-less scorer (like an API): flags profanity when a text contains the marker word."""

    name = "flagging"

    def score(self, texts: Sequence[str | None]) -> list[ModerationResult]:
        return [self.result({"profanity": 1.0 if "شتيمة" in (t or "") else 0.0}) for t in texts]


def test_a_scorer_without_term_spans_decides_by_category():
    original = f"{BASE} وفيه شتيمة."
    assert check_rewrite(original, f"{BASE} وما زالت شتيمة.", CFG, moderation=Flagging()).reasons == \
        ["moderation_missed"]
    assert check_rewrite(original, BASE, CFG, moderation=Flagging()).ok


def test_the_scorer_comes_from_settings_and_is_built_once():
    settings = build_settings({"moderation": {"scorer": "lexicon", "thresholds": {"threat": 0.7}}})
    assert settings.moderation.thresholds == {"threat": 0.7}
    first = removal_check(settings.moderation)
    assert removal_check(settings.moderation.model_copy()) is first
    assert removal_check(ModerationConfig()) is not first


def test_news_calibration_reads_only_moderation_missed():
    articles = [BASE,
                f"{BASE}\nللاستفسار اتصلوا بنا على الرقم 0551234567 أو info@hadiqa.sa",
                f"{BASE} انقر هنا لقراءة المزيد.",
                f"{BASE} وصاح أحدهم: يا ابن الكلب."]
    assert reference_clean(articles[1]) == BASE and reference_clean(articles[2]) == BASE
    result = calibrate_news(articles, CFG)
    assert result["with_items"] == {"any": 3, "phone": 1, "email": 1, "ad": 2, "profanity": 1}
    assert result["rejected"] == 1 and result["fired"] == {"profanity": 1}
    assert result["examples"][0]["article"] == 3
