"""National identity numbers with a checksum or a fixed structure. Nothing else (a bare 10-digit number without
a check is a decision, invoice or account number far more often than an id).

Sources of truth (format facts):
- Saudi Arabia, national id (citizens, first digit 1) and iqama (residents, first digit 2): 10 digits, Luhn over
  all 10 digits (the check published with the Yakeen/Absher integration guides and reproduced by every Saudi id
  validator; 1000000008 is the usual valid example).
- UAE Emirates ID: 15 digits 784-YYYY-NNNNNNN-C, 784 = ISO 3166 numeric code of the UAE, YYYY *may* be the birth
  year (EIDA 2016: not necessarily, so it is not checked), C = Luhn check digit over the 15 digits.
- Egypt, national id (الرقم القومي): 14 digits C YYMMDD GG SSSS K - C century (2 = 1900s, 3 = 2000s), a real
  birth date not in the future, GG governorate code (01-04, 11-19, 21-29, 31-35, 88 born abroad), SSSS serial
  (3rd digit odd = male), K a check digit whose algorithm is not published: not checked. Structure alone leaves
  ~0.2% of random 14-digit numbers.
"""

from __future__ import annotations

import datetime as _dt

from native_align.pii.checksums import luhn_valid

EG_GOVERNORATES = frozenset(
    ["01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "23", "24", "25", "26",
     "27", "28", "29", "31", "32", "33", "34", "35", "88"]
)


def is_saudi_id(digits: str) -> bool:
    return len(digits) == 10 and digits[0] in "12" and luhn_valid(digits)


def is_uae_id(digits: str) -> bool:
    return len(digits) == 15 and digits.startswith("784") and luhn_valid(digits)


def egypt_birth_date(digits: str) -> _dt.date | None:
    """The birth date encoded in a 14-digit Egyptian id, or None when the century digit or date is impossible."""
    if len(digits) != 14 or digits[0] not in "23":
        return None
    year = (1900 if digits[0] == "2" else 2000) + int(digits[1:3])
    try:
        born = _dt.date(year, int(digits[3:5]), int(digits[5:7]))
    except ValueError:
        return None
    return born if born <= _dt.date.today() else None


def is_egypt_id(digits: str) -> bool:
    return egypt_birth_date(digits) is not None and digits[7:9] in EG_GOVERNORATES


def is_national_id(digits: str, groups: tuple[int, ...]) -> bool:
    """One block of digits (ids are written unbroken), except the Emirates ID's 3-4-7-1 layout."""
    if len(groups) == 1:
        return is_saudi_id(digits) or is_egypt_id(digits) or is_uae_id(digits)
    return groups == (3, 4, 7, 1) and is_uae_id(digits)
