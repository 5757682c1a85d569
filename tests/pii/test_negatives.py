"""What must never be redacted: numbers of news (dates, years, prices, ...) and invalid checksums."""

from __future__ import annotations

import pytest

from native_align.pii.detect import detect

NEWS = [
    "عام 2015", "في 1436هـ", "بتاريخ 15/8/2015", "بتاريخ 2015-08-15", "بتاريخ 05-08-2015", "بتاريخ 03.08.2015",
    "الموافق 04-08-2015 م", "من مواليد يوم 01-03-1419 هـ", "بتاريخ 23 - 06 - 2015", "العام 1420 - 1421هـ",
    "الموسم 2014-2015", "بتاريخ ١٥/٨/٢٠١٥", "3.5 مليار ريال", "بقيمة 45999540 ريال", "بلغت 262212678.90 ريال",
    "12,500,000 ريال", "1.250.000 ريال", "بلغ عدد السكان 1800000 نسمة", "إصدار 5949212 تأشيرة",
    "وصلت إلى 2416626 سيارة", "بنسبة 35%", "بنسبة 12.5 في المئة", "٪٤٥", "المادة 77", "المادة ٧٧ من النظام",
    "القانون رقم 12 لسنة 2015", "الساعة 10:30", "الساعة 10:30:45", "بنتيجة 3-1", "رقم القرار 1234567",
    "القرار رقم 2380620481", "السجل التجاري رقم 1010139946", "السجل التجاري رقم 01010002475", "الإصدار 1.2.3.4",
    "التحديث 3074683", "الرمز البريدي 11411", "ص.ب 12345", "الرقم الموحد 920000900", "الرقم المجاني 8001277000",
    "ردمك 978-603-00-1234-5", "حساب رقم 480608010089026", "المقبولين 3601100204 3601100410",
    "سعر البرميل 1.500.000.250 دولار",
    "http://aawsat.com/home/article/1012388402/x", "تطبيق ios/app/id1012388402?mt=8",
    "الأرقام من 100 إلى 2000 و3000 و4000", "مقارنة بـ 2014 2015 2016 2017",
]


@pytest.mark.parametrize("text", NEWS)
def test_news_numbers_are_not_touched(text):
    assert detect(f"وأوضح التقرير أن {text} حسب البيان.") == []


@pytest.mark.parametrize("text", [
    "4111 1111 1111 1112",  # Luhn fails
    "4111111111111112",
    "1234 5678 9012 3456",  # Luhn fails, no issuer
    "8000 0000 0000 0009",  # Luhn passes, 8 is no card issuer
    "480608010089026",  # 15 digits starting with 4: a bank account (Visa is 16/19)
    "SA03 8000 0000 6080 1016 7518",  # mod-97 fails
    "SA03800000006080101675191",  # runs on: not this IBAN
    "AE07 0331 2345 6789 0123 45",  # one character short for AE
    "1000000009", "2000000007",  # Saudi ids with a wrong Luhn digit
    "3000000004",  # Luhn passes but 3 is neither citizen nor resident
    "784-1980-1234567-7",  # Emirates ID with a wrong check digit
    "29013011234567",  # Egyptian id with month 13
    "29001019934567",  # Egyptian id with governorate 99
    "39901011234567",  # Egyptian id born in 2099: in the future
])
def test_invalid_checksums_are_not_redacted(text):
    assert detect(f"الرقم {text} غير صحيح") == []


def test_ip_lookalikes():
    assert detect("البند 1.2.3.4 والنسخة 8.8.8.8 والرقم 1.2.3.4.5") == []
    assert detect("المباراة 10:30:45 ونتيجتها 2:1") == []


def test_phone_shaped_slices_of_longer_numbers():
    # a Luhn-failing card and a mistyped IBAN must not leave phone-looking pieces behind
    assert detect("رقم البطاقة 6011 0347 1039 1407 المرفقة") == []
    assert detect("IBAN: TN77 1917 5991 3263 0742 8521 شكرا") == []


def test_extension_after_a_phone_is_not_a_phone():
    spans = detect("على هاتف 2464444 تحويله 1420 – 1422 أو البريد")
    assert [(s.kind, s.value) for s in spans] == [("phone", "2464444")]


def test_unit_guard_is_word_bounded():
    # "كما" starts like the unit "كم" but is a different word: the card before it is still a card
    assert [s.kind for s in detect("رقم البطاقة 4111111111111111 كما ذكر")] == ["credit_card"]
