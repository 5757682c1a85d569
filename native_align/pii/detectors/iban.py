"""IBANs (ISO 13616-1): country code, 2 check digits, a country-specific BBAN; the whole string has the
country's registered length and its mod-97 remainder is 1. Written compact or in blocks of 4 separated by spaces
(or dashes), upper or lower case.

Lengths: SWIFT IBAN Registry (release 2024+) for registry members, including SA 24, AE 23, EG 29, JO 30, KW 30,
QA 29, BH 22, LB 28, TN 24, IQ 23, LY 25, OM 23, PS 29, SD 18; Morocco (MA 28) and Algeria (DZ 26) are not in the
registry but their banks print IBANs of these lengths (the "partial IBAN" lists of payment processors).
The checksum alone lets through 1 in 97 random strings of the right shape; with the country length the false
positive rate on text is ~0 (Arabic news holds almost no upper-case Latin letter + digit runs).
"""

from __future__ import annotations

import re

from native_align.pii.checksums import iban_valid

LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29,
    "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30, "MA": 28, "DZ": 26,
}

# A candidate: country letters, 2 check digits, then alphanumerics optionally broken by single spaces/dashes.
CANDIDATE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})([0-9]{2})((?:[ \-]?[A-Za-z0-9]){11,30})")
_ALNUM = re.compile(r"[A-Za-z0-9]")


def find(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(valid IBAN spans, IBAN-*shaped* spans that fail the length or checksum). The second list keeps the
    numeric detectors off the digits of a mistyped IBAN."""
    valid, shaped = [], []
    pos = 0
    while True:
        m = CANDIDATE.search(text, pos)
        if m is None:
            return valid, shaped
        pos = m.start() + 4  # a candidate may swallow the next IBAN: look again from inside it
        length = LENGTHS.get(m.group(1).upper())
        if length is None:
            continue
        # Exactly `length` alphanumerics from the start (a candidate may run into the next word); the IBAN must
        # end there.
        chars = list(_ALNUM.finditer(text, m.start(), m.end()))
        if len(chars) < length:
            shaped.append(m.span())
            continue
        end = chars[length - 1].end()
        compact = "".join(c.group() for c in chars[:length]).upper()
        if _ALNUM.match(text, end) or not iban_valid(compact):  # runs on into more letters/digits, or bad check
            shaped.append((m.start(), end))
        else:
            valid.append((m.start(), end))
            pos = end
