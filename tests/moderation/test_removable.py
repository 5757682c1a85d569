"""Contact items and what "the same item" means: one phone in any script or format, hosts, handles, terms."""

from __future__ import annotations

from native_align.moderation.removable import RemovalCheck, contact_items, removal_check


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(it.kind, it.key) for it in contact_items(text)]


def test_each_contact_kind_and_its_key():
    assert _kinds("اتصل على +966 55 123 4567") == [("phone", "51234567")]
    assert _kinds("اتصل على ٠٥٥١٢٣٤٥٦٧") == [("phone", "51234567")]
    assert _kinds("البريد Info@Shop.SA اليوم") == [("email", "info@shop.sa")]
    assert _kinds("الموقع https://www.Shop-x.com/sale?x=1 الآن") == [("url", "shop-x.com")]
    assert _kinds("حساب @shop_sa على تويتر") == [("handle", "shop_sa")]


def test_bare_domains_need_three_labels():
    # two labels are mostly names in news (a company, an app, a publication), three are addresses
    assert _kinds("كتبت Forbes و Oilprice.com وJD.com ولعبة Agar.io") == []
    assert _kinds("التقديم عبر jobs.moi.gov.sa أو okaz.com.sa") == [("url", "jobs.moi.gov.sa"), ("url", "okaz.com.sa")]


def test_an_email_is_not_also_a_handle_or_a_domain():
    assert _kinds("راسلوا twasul@okaz.com.sa") == [("email", "twasul@okaz.com.sa")]


def test_a_broken_address_is_not_searched_as_a_bare_name():
    check = RemovalCheck(kinds=["url"])
    original = "في «بيتشكومبر» Beachcomber للمزيد www.beachcomber - hotels.com"
    assert [it.key for it in check.scan([original])[0].items] == ["www.beachcomber"]
    assert check.check([original], ["في «بيتشكومبر» Beachcomber المجموعة"]) == [[]]


def test_kept_is_decided_per_item():
    check = removal_check()
    original = "للحجز 0551234567 وراسلونا على a@b.sa واحجز الآن. يا ابن الكلب"
    kept = check.check([original], ["للحجز ٠٥٥-١٢٣-٤٥٦٧ الآن. يا ابن الكلب"])[0]
    assert [(it.kind, it.text) for it in kept] == [("phone", "٠٥٥-١٢٣-٤٥٦٧"), ("profanity", "ابن الكلب")]
    assert check.check([original], ["للحجز الآن."]) == [[]]
