"""Check-digit algorithms. Inputs are ASCII digit strings (or IBAN alphanumerics); no separators.

Sources of truth (format facts only):
- Luhn (ISO/IEC 7812-1 annex B): payment cards, the UAE Emirates ID (15 digits, last is a Luhn check digit; Emirates
  Identity Authority press release 2016, Microsoft Purview "U.A.E. identity card number" definition) and the Saudi
  national/iqama id (10 digits; the published Yakeen/Absher check is Luhn over all 10 digits:
  digits at even 0-based positions doubled, digit sums added, total divisible by 10 - e.g. 1000000008 is valid).
- IBAN (ISO 13616-1): move the first four characters to the end, letters A..Z -> 10..35, the number mod 97 is 1.
"""

from __future__ import annotations


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (>= 2 ASCII digits) passes the Luhn check."""
    if len(digits) < 2 or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i & 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` Luhn-valid (used by the synthetic generator)."""
    for d in "0123456789":
        if luhn_valid(payload + d):
            return d
    raise ValueError(payload)  # unreachable for digit payloads


def iban_remainder(iban: str) -> int:
    """ISO 13616 mod-97 remainder of a compact upper-case IBAN (1 means valid); -1 on a non-alphanumeric char."""
    rearranged = iban[4:] + iban[:4]
    rem = 0
    for ch in rearranged:
        if "0" <= ch <= "9":
            rem = (rem * 10 + ord(ch) - 48) % 97
        elif "A" <= ch <= "Z":
            rem = (rem * 100 + ord(ch) - 55) % 97
        else:
            return -1
    return rem


def iban_valid(iban: str) -> bool:
    return len(iban) >= 5 and iban_remainder(iban) == 1


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits of ``country + ?? + bban`` (used by the synthetic generator)."""
    return f"{98 - iban_remainder(country + '00' + bban):02d}"
