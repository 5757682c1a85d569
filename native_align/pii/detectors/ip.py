"""IP addresses. IPv4: four dotted decimal octets 0-255 without leading zeros (RFC 791 dotted quad). IPv6: RFC 4291
text forms (full, ``::``-compressed, IPv4-suffixed), validated by the standard library's ``ipaddress``.

False-positive guards: an IPv4 whose octets are all single digits ("1.2.3.4", "8.8.8.8") is a section number or a
version far more often than a personal address; a dotted quad glued to more dotted digits ("1.2.3.4.5") is not an
address. An IPv6 needs ``::`` or all 8 groups, and at least one group of 3+ characters or with a hex letter, so
times ("10:30:45") and scores never qualify.
"""

from __future__ import annotations

import ipaddress
import re

_OCTET = re.compile(r"25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]")
# Starts with a digit class for speed; boundaries and octet values are checked in Python.
IPV4 = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}")
IPV6 = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3}(?![0-9A-Za-z:])")
_BEFORE_V4 = re.compile(r"[0-9A-Za-z.]")


def _ipv4_ok(text: str, start: int, end: int) -> bool:
    if start > 0 and _BEFORE_V4.match(text, start - 1):
        return False
    if end < len(text) and (text[end].isdigit() or (text[end] == "." and end + 1 < len(text)
                                                     and text[end + 1].isdigit())):
        return False
    octets = text[start:end].split(".")
    return all(_OCTET.fullmatch(o) for o in octets) and any(len(o) > 1 for o in octets)


def _ipv6_ok(cand: str) -> bool:
    if "::" not in cand and cand.count(":") + ("." in cand) < 7:
        return False
    groups = [g for g in re.split(r"[:.]", cand) if g]
    if not any(len(g) >= 3 or not g.isdigit() for g in groups) or len(groups) < 2:
        return False
    try:
        ipaddress.IPv6Address(cand)
    except ValueError:
        return False
    return True


def find(text: str) -> list[tuple[int, int]]:
    out = []
    if "." in text:
        out += [m.span() for m in IPV4.finditer(text) if _ipv4_ok(text, m.start(), m.end())]
    if "::" in text or text.count(":") >= 7:
        out += [m.span() for m in IPV6.finditer(text) if _ipv6_ok(m.group())]
    return out
