"""Keyword context around a number: what the words *before* it say it is, and whether a unit follows it.

Numbers alone are ambiguous (a 7-digit local phone and a visitor count look the same), so the numeric detectors ask
two cheap questions on small slices of text:
- ``before(...)``: the *nearest* keyword in the ``window`` characters before the number - ``phone`` (هاتف, جوال,
  فاكس, tel ...), ``id`` (هوية, رقم الإقامة, السجل المدني ...) or ``neg`` (a record, amount or extension: السجل
  التجاري, رقم القرار, الصك, بقيمة, الرمز البريدي, تحويلة ...); None when there is none. Nearest wins, so
  "رقم القرار ... للتواصل: 05..." is a phone. It also says whether the keyword names *this* number (no other digit
  in between): record/amount words only name the first number after them.
- ``unit_after(...)``: a currency, magnitude, unit or counted noun right after it (ريال, مليون, %, سيارة ...):
  then it is an amount or a count, never personal data.
Arabic words take clitics (بهاتف, وجواله, للتواصل), so a keyword may carry a prefix of و ف ب ل ك and/or the
article, and any suffix, but must not follow another letter ("مقيمة" is not "قيمة").
"""

from __future__ import annotations

import re

_AR = "\u0621-\u064a"
_PRE = rf"(?<![{_AR}])(?:[وفبلك]?(?:ال|لل)?)"


def _words(*alternatives: str) -> str:
    """Arabic keywords with an optional clitic prefix and a left word boundary."""
    return _PRE + "(?:" + "|".join(alternatives) + ")"


PHONE_WORDS = "|".join((
    # موبايلي is the operator Mobily, نقالة a stretcher, واتسون Watson.
    _words("هاتف", "هواتف", "تلفون", "تليفون", "جوال", "موبايل(?!ي)", "موبيل", "محمول", "خلوي", "نقال(?!ة)", "فاكس",
           "واتس(?!ون)", "اتصل", "اتصال\\s*(?:على|ب|:)", "تواصل\\s*(?:على|عبر|مع|:)"),
    "للتواصل|للاتصال",
    f"(?<![{_AR}])[وب]?رقمي(?![{_AR}])",  # "my number"; with the article (الرقمي) it is "digital"
    r"(?<![\w])[تجف]\s*:",
    r"(?<![A-Za-z])(?:tel|phone|mobile|mob|fax|whats\s?app|call)(?![A-Za-z])",
))
ID_WORDS = "|".join((
    _words("هوية", "هويه", "بطاقة\\s+الأحوال", "سجل\\s+مدني", "سجل\\s+المدني", "رقم\\s+(?:ال)?(?:إقامة|اقامة)",
           "إقامة\\s+رقم", "رقم\\s+(?:ال)?(?:قومي|وطني)", "بطاقة\\s+الرقم"),
    r"(?<![A-Za-z])(?:iqama|national\s+id|id\s+(?:no|number)|emirates\s+id)(?![A-Za-z])",
))
# Records and documents named by a number: "رقم القرار 123", "القرار رقم 123" (the noun alone is too common).
_RECORDS = (
    "قرار|طلب|معاملة|قضية|بلاغ|حساب|عقد|فاتورة|شحنة|صك|مرسوم|أمر|تعميم|خطاب|ترخيص|رخصة|سند|إيصال|ايصال|وثيقة"
    "|ملف|إصدار|اصدار|تحديث|طرد|تذكرة|مخالفة|لوحة|قيد|عضوية"
)
NEG_WORDS = "|".join((
    _words(f"رقم\\s+(?:ال)?(?:{_RECORDS})", f"(?:{_RECORDS})\\s+(?:رقم|المرقم)", "سجل\\s+(?:ال)?تجاري",
           "إصدار", "اصدار", "تحديث", "رمز\\s+(?:ال)?بريدي", "رمز\\s+(?:ال)?موحد", "صندوق\\s+(?:ال)?بريد", "ردمك",
           "رقم\\s+(?:ال)?موحد", f"مجاني(?![{_AR}])", "قيمة", "مبلغ", "تكلفة", "ميزانية", "إجمالي", "اجمالي",
           "تحويلة", "تحويله"),  # not المجانية; "داخلي" is left out: الداخلية is the interior ministry
    r"(?<![\u0621-\u064a])[سص]\s?\.\s?[تب](?![\u0621-\u064a])",  # س.ت (commercial registration), ص.ب (P.O. box)
    r"(?<![A-Za-z])(?:ext|ISBN)(?![A-Za-z])",
))
_BEFORE = re.compile(f"(?P<phone>{PHONE_WORDS})|(?P<id>{ID_WORDS})|(?P<neg>{NEG_WORDS})", re.IGNORECASE)

# Whole words (a following Arabic letter means another word: "كما" is not "كم"); plurals and the accusative -ا
# are listed, and the year marks هـ / م ("1420 - 1421هـ").
UNITS = (
    r"ريال|ريالا|ريالات|ر\s?\.\s?س|درهم|دراهم|دينار|دنانير|جنيه|جنيها|جنيهات|دولار|دولارا|دولارات|يورو|ليرة"
    r"|مليون|مليونا|ملايين|مليار|مليارا|مليارات|ألف|الف|ألفا|آلاف|طن|طنا|أطنان|كيلو|كيلومتر|كيلوجرام|كجم|كم"
    r"|متر|مترا|أمتار|م2|برميل|براميل|نسمة|شخص|شخصا|أشخاص|زائر|زائرا|زوار|حاج|حجاج|معتمر|معتمرا|معتمرين"
    r"|مستفيد|مستفيدا|مستفيدين|سيارة|سيارات|تأشيرة|تأشيرات|رسالة|رسائل|سجل|سجلا|سجلات|وحدة|وحدات|مشترك|مشتركا"
    r"|مشتركين|طالب|طالبا|طلاب|بالمئة|بالمائة|في المئة|في المائة|هـ|ه|م"
)
_UNIT = re.compile(
    rf"[\s\u00a0)»\"']{{0,3}}(?:(?:{UNITS})(?![\u0621-\u064a])|[%٪]"
    r"|(?:SAR|USD|AED|EGP|riyals?|dollars?|million|billion)(?![A-Za-z]))",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"[0-9]")


def before(text: str, start: int, window: int) -> tuple[str | None, bool]:
    """(kind of the keyword nearest before ``start`` - ``"phone"``, ``"id"``, ``"neg"`` or None -, whether it
    names *this* number, i.e. no other digit stands between the keyword and ``start``)."""
    if window <= 0 or start == 0:
        return None, False
    last = None
    for m in _BEFORE.finditer(text, max(0, start - window), start):
        last = m
    if last is None:
        return None, False
    return last.lastgroup, _DIGIT.search(text, last.end(), start) is None


def unit_after(text: str, end: int) -> bool:
    """Is the number ending at ``end`` followed by a currency, unit or counted noun?"""
    return _UNIT.match(text, end, min(len(text), end + 16)) is not None
