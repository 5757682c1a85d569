"""Phone numbers of the Gulf, Egypt, the Levant and the Maghreb.

Source of truth: each country's national numbering plan as notified to the ITU (ITU-T E.164 "national numbering
plan" communications) - country code, whether a national trunk prefix 0 is dialled, and the leading digits and
length of the national significant number (NSN). Only format facts are used. Per country (NSN = after the code):

| country | code | trunk 0 | mobile NSN | landline NSN |
|---|---|---|---|---|
| Saudi Arabia | 966 | yes | 5 + 8 | 1[1-7] + 7 (since 2007); legacy [1-7] + 7 |
| UAE | 971 | yes | 5[0-8] + 7 | [2-4679] + 7 |
| Kuwait | 965 | no | [4569] + 7 | [12] + 7 |
| Qatar | 974 | no | [3567] + 7 | 4 + 7 |
| Bahrain | 973 | no | [36] + 7 | 1 + 7 |
| Oman | 968 | no | [79] + 7 | 2 + 7 |
| Egypt | 20 | yes | 1[0125] + 8 | 2 + 8 (Cairo), 3 + 7 (Alexandria), 1[35]/[4-9]x + 7 |
| Jordan | 962 | yes | 7[789] + 7 | [2356] + 7 |
| Lebanon | 961 | yes (not before 7x/81 mobiles) | 3 + 6, (7[01689] or 81) + 6 | [1-9] + 6 |
| Syria | 963 | yes | 9 + 8 | [1-5] + 7..8 |
| Palestine | 970 | yes | 5[69] + 7 | [2489] + 7 |
| Morocco | 212 | yes | [67] + 8 | 5 + 8 |
| Algeria | 213 | yes | [567] + 8 | [2-49] + 7 |
| Tunisia | 216 | no | [2-9] + 7 | (same) |

How a digit window becomes a phone (``is_phone``), from most to least certain:
1. International: ``+`` / ``00`` + a code above + a valid NSN (an optional ``(0)`` trunk after the code is dropped).
   ``+`` with any other code and 8-15 digits is accepted as generic E.164 (``generic_international``); ``00`` with
   another code needs a phone word. A trailing ``+`` counts too: RTL editors often store "+966..." as "966...+".
2. National: trunk ``0`` + a valid NSN of a trunk country (05x, 01x, 02..09 ...) - no keyword needed, numbers that
   start with 0 are rare in news outside phones. Dates (05-08-2015) are excluded by ``numeric.py``.
3. Keyword: a bare NSN of any country (8-digit Gulf/Tunisian numbers, Lebanese 7x) or a 7-digit local number
   (7-9 digits; a bare 10-digit number is an id or a reference far more often), or a full number with a known code,
   only when a phone word (هاتف, جوال, فاكس, ت: ...) is the nearest keyword before it and names this number.
Service numbers of organisations (Saudi 800/8001/9200/9201 hotlines, UAE 600/800) are not personal data and are
left alone (``keep_service_numbers``).
"""

from __future__ import annotations

import re

# iso, calling code, dials trunk 0, NSN patterns (regex over digits).
COUNTRIES: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    ("SA", "966", True, (r"5\d{8}", r"1[1-7]\d{7}", r"[1-7]\d{7}")),
    ("AE", "971", True, (r"5[0-8]\d{7}", r"[2-4679]\d{7}")),
    ("KW", "965", False, (r"[124569]\d{7}",)),
    ("QA", "974", False, (r"[3-7]\d{7}",)),
    ("BH", "973", False, (r"[136]\d{7}",)),
    ("OM", "968", False, (r"[279]\d{7}",)),
    ("EG", "20", True, (r"1[0125]\d{8}", r"2\d{8}", r"3\d{7}", r"(?:1[35]|[4-9]\d)\d{7}")),
    ("JO", "962", True, (r"7[789]\d{7}", r"[2356]\d{7}")),
    ("LB", "961", True, (r"3\d{6}", r"(?:7[01689]|81)\d{6}", r"[1-9]\d{6}")),
    ("SY", "963", True, (r"9\d{8}", r"[1-5]\d{7,8}")),
    ("PS", "970", True, (r"5[69]\d{7}", r"[2489]\d{7}")),
    ("MA", "212", True, (r"[5-7]\d{8}",)),
    ("DZ", "213", True, (r"[5-7]\d{8}", r"[2-49]\d{7}")),
    ("TN", "216", False, (r"[2-9]\d{7}",)),
)

_NSN_BY_CODE = {code: re.compile("|".join(f"(?:{p})" for p in pats)) for _, code, _, pats in COUNTRIES}
_CODES = tuple(sorted(_NSN_BY_CODE, key=len, reverse=True))  # 3-digit codes before Egypt's 20
_NATIONAL = re.compile("|".join(f"(?:0(?:{p}))" for _, _, trunk, pats in COUNTRIES if trunk for p in pats))
_ANY_NSN = re.compile("|".join(f"(?:{p})" for _, _, _, pats in COUNTRIES for p in pats) + r"|[1-9]\d{6}")
# Organisation numbers (national digits): Saudi toll-free 800/8001 and unified 9200/9201, UAE 600/800.
_SERVICE = re.compile(r"0?(?:800\d{6,7}|920[01]\d{4,5}|600\d{6})")


def international_nsn_ok(digits: str) -> bool | None:
    """``digits`` after ``+``/``00``: True/False for a known code's NSN, None when the code is not one of ours."""
    for code in _CODES:
        if digits.startswith(code):
            nsn = digits[len(code):]
            if nsn.startswith("0"):  # "+966 (0) 50 ..." : a trunk 0 written after the country code
                nsn = nsn[1:]
            return _NSN_BY_CODE[code].fullmatch(nsn) is not None
    return None


def is_phone(digits: str, international: bool, keyword: bool, generic_international: bool = True,
             keep_service_numbers: bool = True) -> bool:
    """Is this digit string (no separators) a phone number? ``international``: written with ``+`` (leading or
    trailing); ``keyword``: a phone keyword is the nearest keyword before it."""
    n = len(digits)
    if n < 7 or n > 15:
        return False
    if digits.startswith("00"):
        rest = digits[2:]
        ok = international_nsn_ok(rest)
        return ok if ok is not None else (keyword and 8 <= len(rest) <= 15 and rest[0] != "0")
    if international and digits[0] != "0":
        ok = international_nsn_ok(digits)
        return ok if ok is not None else (generic_international and n >= 8 and digits[0] != "0")
    if keep_service_numbers and _SERVICE.fullmatch(digits):
        return False
    if digits[0] == "0":
        return _NATIONAL.fullmatch(digits) is not None
    if keyword:  # bare numbers are 7-9 digits (local, Gulf, Lebanese 7x, 5xxxxxxxx); a longer one needs its code
        return (n <= 9 and _ANY_NSN.fullmatch(digits) is not None) or international_nsn_ok(digits) is True
    return False
