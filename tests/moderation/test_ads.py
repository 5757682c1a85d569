"""The packaged ad-phrase list: valid, matched like the lexicon, and silent on the news phrasings it was reviewed on."""

from __future__ import annotations

import csv

import pytest

from native_align.moderation.ads import DEFAULT_ADS, AdPhrases, load_ads


def test_packaged_list_is_valid_and_has_no_duplicates():
    ads = load_ads()
    lines = [ln for ln in DEFAULT_ADS.read_text(encoding="utf-8").splitlines() if ln.strip() and ln[0] != "#"]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(ads) == len(rows) >= 100  # a duplicate after normalization would be lost silently
    assert set(ads.phrases.values()) == {"cta", "promo", "service"}


@pytest.mark.parametrize("text, phrase", [
    ("احجز الآن!", "احجز الان"),
    ("واحجز الان وادفع لاحقا", "احجز الان"),                 # proclitic, alef folded
    ("لقراءة الحوار كاملا أنقر هنــا", "انقر هنا"),         # hamza, tatweel
    ("التوصيل مجاني لجميع الأحياء", "التوصيل مجاني"),
    ("للتواصل واتساب فقط", "للتواصل واتساب"),
])
def test_variants_match_with_spans(text, phrase):
    [hit] = load_ads().find([text])[0]
    assert hit.phrase == phrase and text[hit.start:hit.end] == hit.text


@pytest.mark.parametrize("news", [
    "وتقدم الشركة منتجاتها بأسعار منافسة في الأسواق الأوروبية.",
    "وأقيم عرض خاص للفيلم في المهرجان.",
    "وبلغ عدد العقارات المعروضة للبيع أدنى مستوى.",
    "وتعمل غرفة العمليات على مدار الساعة بخدمة العملاء.",
    "وكانت السفارة على تواصل معنا منذ البداية، وهي فرصة لا تعوض.",
    "وقدمت الشركة كوبون خصم بقيمة 25 ريالا مع شحن مجاني للقسائم.",
])
def test_reviewed_news_phrasings_do_not_match(news):
    assert load_ads().find([news]) == [[]]


def test_own_list_and_bad_kind(tmp_path):
    path = tmp_path / "ads.tsv"
    path.write_text("# comment\nphrase\tkind\tnote\nعرض اليوم\tpromo\t\n", encoding="utf-8")
    assert [h.phrase for h in AdPhrases.load(path).find(["عرض اليوم فقط"])[0]] == ["عرض اليوم"]
    with pytest.raises(ValueError, match="unknown kind"):
        AdPhrases.from_phrases([("عرض", "spam")])
