"""Digit runs -> windows of digit groups -> national id, credit card or phone.

One regex pass finds *runs*: at least 7 digits joined by separators (1-3 of space, NBSP, hyphens, parentheses,
bidi marks, or one dot; ``pii/text.py``); a leading ``+``/``(`` and a trailing ``+`` are read around the run. A run
can hold several numbers ("0501234567 0551234567"), so its digit groups are tried as windows: from the leftmost
usable group, the longest window first (at most 6 groups, 19 digits); the first kind that accepts a window wins
(card, then national id, then phone) and the search continues after it. Groups are never split: a 20-digit block
is nobody's phone or card.

Why news numbers are left alone:
- digit-count bounds: 7-15 for phones, 10/14/15 for ids, 14-19 for cards; numbers under 7 digits are never
  candidates, so years, article numbers, times, scores, percentages and most amounts are never looked at;
- barrier groups no window may use: digits inside an e-mail, IP, IBAN-shaped string or web address; a group glued
  to a Latin letter or digit or to a decimal/date separator ("3.0501234567", "15/0501234567"); d-m-y / y-m-d dates
  (05-08-2015, 2015.08.05) and year ranges (2014-2015, 1420 - 1421);
- a window next to a dot, or mixing dots with other separators, is a slice of a decimal, version or list;
- a grouped window continued by a neighbour block with the same separator is a slice of a longer number;
- a unit right after the number (ريال, مليون, %, هـ, سيارة ...) makes it an amount or a count;
- a record/amount word naming the number (رقم القرار, السجل التجاري, الصك, بقيمة, تحويلة ...) rules out ids and
  phones without a country code; a phone word only turns a bare (no 0, no +) number into a phone when it names
  that number and the window is the whole run (``pii/context.py``).
"""

from __future__ import annotations

import re

from native_align.pii import context
from native_align.pii.detectors.card import is_card
from native_align.pii.detectors.national_id import is_national_id
from native_align.pii.detectors.phone import is_phone
from native_align.pii.text import SEPARATORS

# Patterns start with a digit class so that the regex engine can skip ahead quickly (7x faster than a leading
# look-behind on SaudiNewsNet); boundaries, "+"/"(" prefixes and a trailing "+" are checked around each match.
RUN = re.compile(rf"[0-9](?:(?:[{SEPARATORS}]{{1,3}}|\.)?[0-9]){{6,}}")
_PREFIX = re.compile(r"(?:\(?\+[ \u00a0]?\(?|\()$")
_SUFFIX = re.compile(r"\)?[ \u00a0]?\+(?![0-9])")
_LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z]")
_BREAK = re.compile(r".*\s[-\u2010-\u2013].*|.*[-\u2010-\u2013]\s.*")
_GROUP = re.compile(r"[0-9]+")
MAX_GROUPS = 6
MAX_DIGITS = 19
_AMEX_DINERS = ((4, 6, 5), (4, 6, 4))
_GLUE = ".,/:\u066b\u066c"  # decimal point, comma, slash, colon, Arabic decimal and thousands separators


def date_shaped(glens: tuple[int, ...], seps: tuple[str, ...], digits: str) -> bool:
    """d-m-y (1-2, 1-2, 4 digits) or y-m-d (4, 1-2, 1-2) with one repeated separator, a month 1-12 and a
    Gregorian or Hijri year (shorter dates have fewer than 7 digits and are never candidates)."""
    if len(glens) != 3 or seps[0].strip() != seps[1].strip():
        return False
    a, b = int(digits[:glens[0]]), int(digits[glens[0]:glens[0] + glens[1]])
    c = int(digits[glens[0] + glens[1]:])
    if glens[0] <= 2 and glens[1] <= 2 and glens[2] == 4:
        return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12) and _year(c)
    if glens[0] == 4 and glens[1] <= 2 and glens[2] <= 2:
        return _year(a) and 1 <= b <= 12 and 1 <= c <= 31
    return False


def _year(y: int) -> bool:
    """A Gregorian (1900-2100) or Hijri (1300-1500) year."""
    return 1900 <= y <= 2100 or 1300 <= y <= 1500


def _glued_before(text: str, pos: int) -> bool:
    return pos >= 2 and text[pos - 1] in _GLUE and text[pos - 2].isdigit()


def _glued_after(text: str, pos: int) -> bool:
    return pos + 1 < len(text) and text[pos] in _GLUE and text[pos + 1].isdigit()


class _Run:
    """One regex run: its digit groups, which of them no window may use, and what surrounds them."""

    __slots__ = ("text", "start", "end", "groups", "blocked", "lead_plus", "trail_plus", "segments")

    def __init__(self, text: str, m: re.Match, skip: list[tuple[int, int]]):
        start, end = m.span()
        self.groups = groups = [g.span() for g in _GROUP.finditer(text, start, end)]
        pre = _PREFIX.search(text, max(0, start - 4), start)
        suf = _SUFFIX.match(text, end)
        self.lead_plus = pre is not None and "+" in pre.group()
        self.trail_plus = suf is not None
        self.text, self.start, self.end = text, pre.start() if pre else start, suf.end() if suf else end
        n = len(groups)
        # Groups inside an e-mail, IP, IBAN-shaped string or web address, glued to a Latin letter or digit or to a
        # decimal/date separator, or forming a date or a range of years with their neighbours are barriers.
        blocked = [bool(skip) and any(s < ge and gs < e for s, e in skip) for gs, ge in groups]
        glued = self.start > 0 and _LATIN_OR_DIGIT.match(text, self.start - 1) is not None
        blocked[0] = blocked[0] or glued or _glued_before(text, groups[0][0])
        blocked[-1] = blocked[-1] or _glued_after(text, groups[-1][1])
        # An international number's own first / last groups may look like a date ("+966 11 12 2010").
        lo, hi = (2 if self.lead_plus else 0), (n - 3 if self.trail_plus else n)
        for k in range(lo, min(hi, n - 1)):  # "2014-2015", "1420 - 1421": a range of years
            if groups[k][1] - groups[k][0] == 4 == groups[k + 1][1] - groups[k + 1][0]:
                a, b = int(text[groups[k][0]:groups[k][1]]), int(text[groups[k + 1][0]:groups[k + 1][1]])
                if _year(a) and _year(b) and 0 <= b - a <= 10:
                    blocked[k] = blocked[k + 1] = True
        for k in range(lo, min(hi, n - 2)):
            glens = tuple(e - s for s, e in groups[k:k + 3])
            if (glens[0] == 4 or glens[2] == 4) and sum(glens) <= 8:
                seps = (text[groups[k][1]:groups[k + 1][0]], text[groups[k + 1][1]:groups[k + 2][0]])
                if date_shaped(glens, seps, "".join(text[s:e] for s, e in groups[k:k + 3])):
                    blocked[k] = blocked[k + 1] = blocked[k + 2] = True
        self.blocked = blocked
        # Segments: maximal ranges of usable groups not crossing a spaced dash (" - ", " – " separate list items
        # and phrases in Arabic text, not the blocks of one number).
        self.segments, a = [], None
        for k in range(n + 1):
            cut = k == n or blocked[k] or (k > 0 and _BREAK.fullmatch(text, groups[k - 1][1], groups[k][0]))
            if cut and a is not None:
                self.segments.append((a, k))
                a = None
            if k < n and not blocked[k] and a is None:
                a = k

    def bounds(self, i: int, j: int) -> tuple[int, int]:
        """Character span of groups i..j-1, widened to a leading ``+``/``(`` and a trailing ``+``/``)``."""
        text, s, e = self.text, self.groups[i][0], self.groups[j - 1][1]
        if i == 0 and s > self.start and ("+" in text[self.start:s] or ")" in text[s:e]):
            s = self.start
        if j == len(self.groups) and self.trail_plus:
            e = self.end
        elif e < len(text) and text[e] == ")" and text.count("(", s, e) > text.count(")", s, e):
            e += 1
        return s, e


def classify(text: str, run: _Run, i: int, j: int, whole: bool, window: int, require_id_context: bool,
             generic_international: bool, keep_service_numbers: bool) -> str | None:
    """The kind of the window of groups i..j-1 of ``run`` (``whole``: the window is its whole segment), or None."""
    all_groups = run.groups
    groups = all_groups[i:j]
    seps = tuple(text[groups[k][1]:groups[k + 1][0]] for k in range(len(groups) - 1))
    left = text[all_groups[i - 1][1]:groups[0][0]] if i > 0 else None
    right = text[groups[-1][1]:all_groups[j][0]] if j < len(all_groups) else None
    # A trailing "+" (RTL) belongs to an unbroken number or one with single-character separators only.
    trail = j == len(all_groups) and run.trail_plus and all(len(s) == 1 for s in seps)
    lead = i == 0 and run.lead_plus
    # Dots mixed with other separators are decimals and lists ("+966 50.123.4567" may differ after the code);
    # a window next to a dot is a slice of a dotted number (1.500.000, a version, an IP-like string).
    inner = seps[1:] if lead or text.startswith("00", groups[0][0]) else seps
    if left == "." or right == "." or ("." in inner and any(s != "." for s in inner)):
        return None
    digits = "".join(text[s:e] for s, e in groups)
    glens = tuple(e - s for s, e in groups)
    # A grouped window whose neighbour block (<= 4 digits) hangs on with the same separator is a slice of a longer
    # grouped number (an IBAN or account number with a typo, a card with a wrong check digit).
    continued = bool(seps) and ((left == seps[0] and all_groups[i - 1][1] - all_groups[i - 1][0] <= 4)
                                or (right == seps[0] and all_groups[j][1] - all_groups[j][0] <= 4))
    intl = lead or trail or digits.startswith("00")
    start, end = groups[0][0], groups[-1][1]
    # A lone digit opening a window is a score, count or list item ("بنتيجة 0-0 - 5078 ..."), not a number's start.
    if not intl and glens[0] == 1 and len(glens) > 1:
        return None
    # Cards first: 14-19 digits with issuer, shape and Luhn are no amount, whatever word follows.
    if not intl and is_card(digits, glens, seps) and (not continued or glens in _AMEX_DINERS):
        return "credit_card"
    if not intl and context.unit_after(text, end):
        return None
    ctx, adjacent = context.before(text, start, window)
    neg = ctx == "neg" and adjacent  # a record/amount word names the first number after it only
    if not intl and not neg and is_national_id(digits, glens) and (ctx == "id" or not require_id_context):
        return "national_id"
    if (neg or continued) and not intl:
        return None
    # A phone word makes a bare number a phone only when it names it (no other number in between) and the
    # window is its whole segment (no slices of longer numbers).
    keyword = ctx == "phone" and adjacent and whole
    if is_phone(digits, intl, keyword, generic_international, keep_service_numbers):
        return "phone"
    # RTL editors store "012-5598309" as "5598309-012": a trailing 2-4 digit area code starting with 0.
    if len(glens) == 2 and 2 <= glens[1] <= 4 and digits[glens[0]] == "0" and glens[0] >= 6:
        return "phone" if is_phone(digits[glens[0]:] + digits[:glens[0]], False, keyword, generic_international,
                                   keep_service_numbers) else None
    return None


def find(text: str, skip: list[tuple[int, int]], window: int = 40, require_id_context: bool = False,
         generic_international: bool = True, keep_service_numbers: bool = True) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every numeric PII in the digit-folded ``text``. Digit groups overlapping ``skip``
    (spans already claimed by e-mails, IPs, IBAN-shaped strings, web addresses) are never used."""
    out: list[tuple[str, int, int]] = []
    for m in RUN.finditer(text):
        run = _Run(text, m, skip)
        for a, b in run.segments:
            i = a
            while i < b:
                ends, ndig = [], 0
                for j in range(i + 1, min(b, i + MAX_GROUPS) + 1):
                    gs, ge = run.groups[j - 1]
                    ndig += ge - gs
                    if ndig > MAX_DIGITS:
                        break
                    if ndig >= 7:
                        ends.append(j)
                for j in reversed(ends):
                    kind = classify(text, run, i, j, i == a and j == b, window, require_id_context,
                                    generic_international, keep_service_numbers)
                    if kind is not None:
                        out.append((kind, *run.bounds(i, j)))
                        i = j
                        break
                else:
                    i += 1
    return out
