"""The lexicon scorer on crafted Arabic: categories, targets, spelling variants, spans, and clean news."""

from __future__ import annotations

import pytest

from native_align.moderation.base import CATEGORIES, TARGETS
from native_align.moderation.lexicon import DEFAULT_LEXICON, Lexicon, LexiconScorer, Term

TERMS = [Term("كلب"), Term("حمار"), Term("كس امك"), Term("🖕"), Term("مص"),
         Term("يا خنزير"), Term("بول البعير", "insult_group", "ethnicity"), Term("ساقتلك", "threat")]


@pytest.fixture(scope="module")
def packaged() -> LexiconScorer:
    return LexiconScorer()


def test_report_interface_is_kept():
    lx = Lexicon.from_terms(["كلب", "حمار", "كس امك", "🖕", "مص", "# a comment", ""], source="test")
    assert lx.words == frozenset({"كلب", "حمار", "مص"})
    assert lx.phrases == (("كس", "امك"),)
    assert lx.symbols == ("🖕",) and len(lx) == 5 and lx.source == "test"
    assert lx.hits("والكلب والحمار") == 2
    assert lx.hits("قال كس امك ثم 🖕🖕") == 3
    assert lx.hits("كس وحده") == 0 and lx.hits("بمص") == 0 and lx.hits("مصر بلد جميل") == 0
    assert lx.hits(None) == 0 and lx.word_count("هذا   نص") == 2


@pytest.mark.parametrize("text", [
    "هذا كلب",             # plain
    "هذا كَلْبٌ",            # harakat
    "هذا كلـــب",           # tatweel
    "هذا كلللللب",          # elongation
    "والكلب نائم",          # proclitics و + ال
    "فبالكلب",              # stacked proclitics ف + بال
])
def test_spelling_variants_match(text):
    assert Lexicon.from_terms(TERMS).hits(text) == 1


def test_alef_variants_fold_both_ways():
    lx = Lexicon.from_terms([Term("أنجاس", "insult_group", "religion")])
    assert lx.hits("هؤلاء انجاس") == 1 and lx.hits("هؤلاء إنجاس") == 1 and lx.hits("الأنجاس") == 1


def test_vocative_phrase_also_matches_fused_spelling():
    lx = Lexicon.from_terms(TERMS)
    assert lx.hits("يا خنزير") == 1 and lx.hits("ياخنزير") == 1 and lx.hits("خنزير") == 0


def test_scores_categories_targets_and_spans():
    scorer = LexiconScorer(Lexicon.from_terms(TERMS))
    text = "والله ساقتلك يا خنزير، يا شاربين بـــول البعير"
    [res] = scorer.score([text])
    assert res.flagged
    assert res.scores["threat"] == 0.5 and res.scores["profanity"] == 0.5
    assert res.scores["insult_group"] == 0.5 and res.scores["sexual"] == 0.0
    got = [(s.text, s.category, s.target) for s in res.spans]
    assert got == [("ساقتلك", "threat", ""), ("يا خنزير", "profanity", ""),
                   ("بـــول البعير", "insult_group", "ethnicity")]
    assert all(text[s.start:s.end] == s.text for s in res.spans)


def test_more_hits_score_higher_and_thresholds_apply():
    lx = Lexicon.from_terms(TERMS)
    one, two = LexiconScorer(lx).score(["كلب", "كلب وحمار"])
    assert one.scores["profanity"] == 0.5 and two.scores["profanity"] == 0.75
    strict = LexiconScorer(lx, thresholds={"profanity": 0.7})
    assert [r.flagged for r in strict.score(["كلب", "كلب وحمار"])] == [False, True]


def test_empty_and_none_are_clean():
    for res in LexiconScorer(Lexicon.from_terms(TERMS)).score(["", None]):
        assert not res.flagged and res.spans == () and set(res.scores) == set(CATEGORIES)


def test_packaged_lexicon_is_valid_and_covers_every_category(packaged):
    lx = packaged.lexicon
    assert lx.source == str(DEFAULT_LEXICON) and len(lx) > 100
    terms = list(lx.word_terms.values()) + list(lx.phrase_terms.values()) + list(lx.symbol_terms.values())
    assert {t.category for t in terms} == set(CATEGORIES)
    assert {t.target for t in terms if t.category == "insult_group"} <= set(TARGETS)
    assert all(t.target == "" for t in terms if t.category != "insult_group")


@pytest.mark.parametrize("text, category, target", [
    ("يا ابن الكلب", "profanity", ""),
    ("وش فيك ياحمار", "profanity", ""),
    ("روح يا شرموطه", "profanity", ""),
    ("فيلم سكس", "sexual", ""),
    ("قالوا عنهم روافض", "insult_group", "religion"),
    ("احفاد القردة والخنازير", "insult_group", "religion"),
    ("يا بايرة", "insult_group", "gender"),
    ("اسكت يا شارب بول البعير", "insult_group", "ethnicity"),
    ("سأقتلك غداً", "threat", ""),
    ("راح اذبحك", "threat", ""),
])
def test_packaged_lexicon_flags_crafted_offensive_text(packaged, text, category, target):
    [res] = packaged.score([text])
    assert res.flagged and res.scores[category] >= 0.5
    assert any(s.category == category and s.target == target for s in res.spans)


CLEAN_NEWS = [
    "وأعلن وزير البيئة النيوزيلندي نيك سميث عن مبادرة جديدة لإعادة التدوير",
    "لقد بلغ السيل الزبى مع استخدام مواقع التواصل الاجتماعي",
    "تنتفض في أعماقه كسمك سلمون يعود إلى النبع الأول",
    "خول له الخطاب التوقيع مع اللاعب قبل نهاية الموسم",
    "خرج المحتجون في مسيرات رافضة لنتائج الانتخابات",
    "لعب الشاه عباس الصفوي دورا كبيرا في توطين الأرمن",
    "عايد العقيد كريم النصيري الأطفال المنومين بالمستشفى",
    "سجلت وزارة الصحة حالات جديدة من إنفلونزا الخنازير",
    "تعد حديقة الحيوانات أقدم حديقة في أوروبا وتضم الكلاب والحمير",
    "قد تكون حصوات المرارة صغيرة كحبة الرمل",
    "ارتفعت أسعار النفط بعد قرار أوبك خفض الإنتاج",
    "قالَ لأقتلنَّك قال إنما يتقبل الله من المتقين",
]


def test_packaged_lexicon_leaves_crafted_clean_news_alone(packaged):
    flagged = [(t, [s.text for s in r.spans]) for t, r in zip(CLEAN_NEWS, packaged.score(CLEAN_NEWS)) if r.flagged]
    assert flagged == []


@pytest.mark.shared_data
def test_packaged_lexicon_flags_almost_no_real_news(shared_data, packaged):
    from native_align.evaluation.toxicity import read_news

    texts = [t for _, t in read_news(shared_data / "corpus" / "saudinewsnet.jsonl.gz", limit=3000)]
    share = sum(r.flagged for r in packaged.score(texts)) / len(texts)
    assert share <= 0.002  # measured on all 31,030 articles: 12 flagged (0.04 %), every hit read
