"""Payment card numbers (PANs): 14-19 digits, Luhn check, a known issuer prefix with that issuer's lengths, and a
printed shape (one block, or blocks of 4 with one separator, or the 4-6-5 / 4-6-4 Amex/Diners layout).

Source of truth: ISO/IEC 7812-1 (PAN length, Luhn) and the card networks' published IIN ranges: Visa 4 (16/19;
13-digit PANs are no longer issued and 1 in 10 random 13-digit numbers would pass), Mastercard 51-55 and
2221-2720 (16), American Express 34/37 (15), Discover 6011/644-649/65 (16-19), JCB 3528-3589 (16-19), Diners Club
36 (14-19) and 300-305/38-39 (16-19), UnionPay 62 (16-19), Maestro 50/56-69 (16-19 of its 12-19; includes
Egypt's Meeza 5078xx and Saudi mada's 5888xx/5890xx BINs). The issuer check rejects Luhn-valid bank-account and
application numbers, which start with other digits or have other lengths (e.g. the 15-digit Al Rajhi accounts
starting with 4 in SaudiNewsNet).
"""

from __future__ import annotations

from native_align.pii.checksums import luhn_valid

_16_19 = range(16, 20)


def _lengths(digits: str) -> range | tuple[int, ...]:
    """Allowed lengths for the issuer of ``digits`` (empty when no issuer we know starts that way)."""
    d1, d2, d4 = digits[0], int(digits[:2]), int(digits[:4])
    if d1 == "4":
        return (16, 19)  # 13-digit Visa PANs are no longer issued; a random 13-digit number passes Luhn 1 in 10
    if 51 <= d2 <= 55 or 2221 <= d4 <= 2720:
        return (16,)
    if d2 in (34, 37):
        return (15,)
    if d2 == 36:
        return range(14, 20)
    if 300 <= d4 // 10 <= 305 or d2 in (38, 39) or 3528 <= d4 <= 3589:
        return _16_19
    if d4 == 6011 or 644 <= d4 // 10 <= 649 or d2 in (62, 65):
        return _16_19
    if d2 == 50 or 56 <= d2 <= 69:
        return _16_19
    return ()


def shape_ok(groups: tuple[int, ...], seps: tuple[str, ...]) -> bool:
    """One block, or 4-digit blocks (last 1-4) / 4-6-5 / 4-6-4 joined by one repeated single separator."""
    if len(groups) == 1:
        return True
    if len(set(seps)) != 1 or len(seps[0]) != 1:
        return False
    if groups in ((4, 6, 5), (4, 6, 4)):
        return True
    return len(groups) >= 4 and all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4


def is_card(digits: str, groups: tuple[int, ...], seps: tuple[str, ...]) -> bool:
    return (13 <= len(digits) <= 19 and len(digits) in _lengths(digits) and shape_ok(groups, seps)
            and luhn_valid(digits))
