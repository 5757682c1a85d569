"""Each kind on crafted Arabic text: Latin, Arabic-Indic and Extended digits, the usual separators."""

from __future__ import annotations

import pytest

from native_align.pii.detect import detect
from native_align.pii.synthetic import to_system


def found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.value) for s in detect(text)]


@pytest.mark.parametrize("value", [
    "0501234567", "050 123 4567", "050-123-4567", "050.123.4567", "(050) 123 4567",
    "+966 50 123 4567", "+966501234567", "00966 50 123 4567", "(+966) 50-123-4567", "+966 (0) 50 123 4567",
    "966501234567+",  # RTL editors put the plus sign last
    "0112345678",  # Riyadh landline
    "+971 50 123 4567", "04 123 4567",  # UAE
    "+965 6123 4567", "+974 5512 3456", "+973 3612 3456", "+968 9123 4567",  # Kuwait, Qatar, Bahrain, Oman
    "+20 10 1234 5678", "01012345678", "02 2345 6789",  # Egypt
    "+962 79 123 4567", "0791234567",  # Jordan
    "+961 3 123 456", "03 123 456",  # Lebanon
    "+963 944 123 456", "0944123456",  # Syria
    "+970 599 123 456", "0599123456",  # Palestine
    "+212 6 12 34 56 78", "0612345678", "07 12 34 56 78",  # Morocco
    "+213 551 23 45 67", "0551234567",  # Algeria
    "+216 20 123 456",  # Tunisia
])
@pytest.mark.parametrize("system", ["latin", "arabic", "extended"])
def test_phone_formats(value, system):
    v = to_system(value, system)
    assert found(f"للاستفسار يرجى الاتصال على {v} خلال أوقات الدوام.") == [("phone", v)]


@pytest.mark.parametrize("text,value", [
    ("هاتف: 4622224 تحويلة 19", "4622224"),  # 7-digit local number after a phone word
    ("جوال 9123 4567", "9123 4567"),  # 8-digit Gulf number without country code
    ("واتساب ٧١ ١٢٣ ٤٥٦", "٧١ ١٢٣ ٤٥٦"),  # Lebanese 7x mobile, no trunk 0
    ("ت: 6652216", "6652216"),
])
def test_bare_phone_needs_a_phone_word(text, value):
    assert found(text) == [("phone", value)]
    assert found(text.split(" ", 1)[1]) == []  # the same number without its word is left alone


def test_lists_of_phones_and_rtl_reversed_landline():
    text = "ويتقبل العزاء على جوال: 0505401670 - 0555401001، وعلى الرقم 5598309-012 للاستفسار."
    assert found(text) == [("phone", "0505401670"), ("phone", "0555401001"), ("phone", "5598309-012")]


@pytest.mark.parametrize("value", ["ahmed.ali@gmail.com", "info@moe.gov.sa", "Sara_99@outlook.com.eg"])
def test_email(value):
    assert found(f"للتواصل مع الكاتب: {value}، أو عبر تويتر @ahmed") == [("email", value)]


def test_email_glued_to_arabic_and_obfuscated():
    assert found("تويتر: m.albiladi@gmail.comللتواصل مع الكاتب") == [("email", "m.albiladi@gmail.com")]
    assert found("راسلوني: mazen [dot] ali [at] gmail [dot] com شكرا") == [
        ("email", "mazen [dot] ali [at] gmail [dot] com")]
    assert found("تابعونا على @alriyadh و #السعودية") == []


@pytest.mark.parametrize("value", ["192.168.1.10", "١٠.٠.٠.٢٥", "2001:db8::8a2e:370:7334", "fe80::1ff:fe23:4567:890a",
                                   "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::ffff:192.0.2.128"])
def test_ip(value):
    assert found(f"تم تسجيل الدخول من العنوان {value} أمس.") == [("ip", value)]


@pytest.mark.parametrize("value", [
    "SA03 8000 0000 6080 1016 7519", "SA0380000000608010167519", "AE07 0331 2345 6789 0123 456",
    "EG38 0019 0005 0000 0000 2631 8000 2", "JO94 CBJO 0010 0000 0000 0131 0003 02",
    "KW81 CBKU 0000 0000 0000 1234 5601 01", "QA58 DOHB 0000 1234 5678 90AB CDEF G", "BH67 BMAG 0000 1299 1234 56",
    "LB62 0999 0000 0001 0019 0122 9114", "TN59 1000 6035 1835 9847 8831", "GB29 NWBK 6016 1331 9268 19",
    "SA٠٣ ٨٠٠٠ ٠٠٠٠ ٦٠٨٠ ١٠١٦ ٧٥١٩",
])
def test_iban(value):
    assert found(f"رقم الآيبان {value} باسم المؤسسة") == [("iban", value)]


def test_two_ibans_in_a_row():
    text = "IBAN: SA0380000000608010167519 GB29NWBK60161331926819."
    assert [k for k, _ in found(text)] == ["iban", "iban"]


@pytest.mark.parametrize("value", [
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5500 0000 0000 0004", "2223 0000 4841 0010",
    "3782 822463 10005", "6011 1111 1111 1117", "3530 1113 3330 0000", "٤١١١ ١١١١ ١١١١ ١١١١", "۵۵۰۰۰۰۰۰۰۰۰۰۰۰۰۴",
])
def test_credit_card(value):
    assert found(f"دفع بالبطاقة {value} ثم اختفى") == [("credit_card", value)]


@pytest.mark.parametrize("value", [
    "1000000008",  # the usual valid Saudi example (Luhn)
    "2000000006",  # iqama (resident)
    "١٠٠٥٠٧٩٥٧٧",
    "784-1980-1234567-8", "784198012345678",  # Emirates ID (Luhn over 15 digits)
    "29001011234567", "٣٠٥٠٣١٥٠١٢٣٤٥٦",  # Egyptian ids: 1990-01-01 Cairo, 2005-03-15 Cairo
])
def test_national_id(value):
    assert found(f"رقم الهوية {value} صادرة من الرياض") == [("national_id", value)]
    assert found(f"المقبولين: {value} {value}") == [("national_id", value)] * 2  # no keyword needed


def test_national_id_can_require_context():
    from native_align.pii.detect import DetectOptions

    strict = DetectOptions(national_id_requires_context=True)
    assert detect("المقبولين: 1000000008", strict) == []
    assert [s.kind for s in detect("رقم الإقامة 2000000006", strict)] == ["national_id"]


def test_offsets_are_offsets_in_the_original_text():
    text = "اتصل على ٠٥٠١٢٣٤٥٦٧ أو اكتب إلى a@b.co"
    for span in detect(text):
        assert text[span.start:span.end] == span.value


@pytest.mark.parametrize("text,kind", [
    ("أعلنت وزارة الداخلية 1000000008 اليوم", "national_id"),  # الداخلية is not "داخلي" (extension)
    ("كاتبة مقيمة في بيروت. 1000000008.", "national_id"),  # مقيمة is not قيمة (amount)
    ("المحتوى الرقمي 71.43.81.20 الجديد", "ip"),  # الرقمي (digital) is not رقمي (my number)
    ("رقم الجوال 71.43.81.20 للتواصل", "phone"),  # dotted pairs after a phone word: a Maghrebi-style phone
    ("هاتف +966 148.58.28.60", "phone"),  # a dotted quad after a country code is a phone
])
def test_keywords_are_words_not_substrings(text, kind):
    assert [s.kind for s in detect(text)] == [kind]


def test_spaced_dash_separates_list_items():
    # a bare Gulf number after a phone word, then another number after " - ": only the first is the phone
    assert found("هاتف: 6612 3456 - 2015 كان عاما") == [("phone", "6612 3456")]
