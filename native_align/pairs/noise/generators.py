"""Contact generators shared by the contacts and ads families: phones, e-mails, URLs, handles.

Formats are templates too (ids, ~25% held out). Phone patterns: ``X`` is any digit, ``{015}`` one of those
digits; every number has ≥ 9 digits behind a Gulf (+966/+971/+965/+974/+973/+968, 05…), Egyptian (+20 1…, 01…)
or Maghrebi (+212 6…, +213, +216, 06…, 07…) prefix, and is grouped so the rewrite guardrail's phone pattern
recognises it (a phone is noise to delete, never a fact to keep). E-mails, URLs and handles carry no digits at all.
Names are invented transliterations, not taken from any site list.
"""

from __future__ import annotations

import random
import re

from native_align.pairs.noise.base import Template, pool

T = Template
PHONE_FORMATS: tuple[Template, ...] = (
    T("phone.sa_intl", "+966 5X XXX XXXX"),
    T("phone.sa_local", "05XXXXXXXX"),
    T("phone.sa_local_dash", "05X-XXX-XXXX"),
    T("phone.sa_00", "00966 5X XXX XXXX"),
    T("phone.sa_intl_dash", "+966-5X-XXX-XXXX", held_out=True),
    T("phone.ae_intl", "+971 5{024568} XXX XXXX"),
    T("phone.ae_local", "05{024568} XXX XXXX"),
    T("phone.kw_intl", "+965 {569}XXX XXXX"),
    T("phone.qa_intl", "+974 {3567}XXX XXXX"),
    T("phone.bh_intl", "+973 3XXX XXXX"),
    T("phone.om_intl", "+968 9XXX XXXX", held_out=True),
    T("phone.eg_intl", "+20 1{0125} XXXX XXXX"),
    T("phone.eg_local", "01{0125}XXXXXXXX"),
    T("phone.eg_local_spaced", "01{0125} XXXX XXXX", held_out=True),
    T("phone.ma_intl", "+212 6XX XX XX XX"),
    T("phone.ma_local", "06 XX XX XX XX", held_out=True),
    T("phone.dz_intl", "+213 {567}XX XX XX XX"),
    T("phone.dz_local", "0{567}XX XX XX XX", held_out=True),
    T("phone.tn_intl", "+216 {259}X XXX XXX"),
)
EMAIL_FORMATS: tuple[Template, ...] = (
    T("email.role", "{role}@{stem}.{tld}"),
    T("email.provider", "{stem}.{stem2}@{provider}"),
    T("email.dashed", "{role}@{stem}-{stem2}.{tld}"),
    T("email.underscore", "{stem}_{role}@{provider}", held_out=True),
)
URL_FORMATS: tuple[Template, ...] = (
    T("url.https_www", "https://www.{stem}-{stem2}.{tld}/{path}"),
    T("url.www", "www.{stem}{stem2}.{tld}"),
    T("url.https", "https://{stem}.{tld}/{path}"),
    T("url.http_ar", "http://{stem}-{stem2}.{tld}/ar/{path}", held_out=True),
)
HANDLE_FORMATS: tuple[Template, ...] = (
    T("handle.pair", "@{stem}_{stem2}"),
    T("handle.plain", "@{stem}{stem2}"),
    T("handle.dotted", "@{stem}.{role}"),
    T("handle.official", "@{stem}_official", held_out=True),
)
FORMATS: dict[str, tuple[Template, ...]] = {
    "phone": PHONE_FORMATS, "email": EMAIL_FORMATS, "url": URL_FORMATS, "handle": HANDLE_FORMATS,
}

_STEMS = ("noor", "salam", "khair", "dalil", "souq", "nakheel", "waha", "rawabi", "najm", "bayan", "amal",
          "sahra", "marwa", "tayba", "jazeera", "fajr", "hilal", "sanad", "rimal", "yaqoot")
_ROLES = ("info", "sales", "contact", "support", "booking", "ads", "hello", "team")
_TLDS = ("com", "net", "org", "sa", "ae", "eg", "ma", "info", "online", "store")
_PROVIDERS = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com")
_PATHS = ("offers", "news", "shop", "register", "deals", "app", "join", "articles")
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_DIGIT_CHOICE = re.compile(r"\{(\d+)\}|X")


def render_phone(pattern: str, rng: random.Random, arabic_indic: bool = False) -> str:
    number = _DIGIT_CHOICE.sub(lambda m: rng.choice(m.group(1) or "0123456789"), pattern)
    return number.translate(_ARABIC_INDIC) if arabic_indic else number


def render_name(pattern: str, rng: random.Random) -> str:
    """An e-mail, URL or handle from its format: stems, roles, domains drawn from the lists above."""
    stem, stem2 = rng.sample(_STEMS, 2)
    fill = {"stem": stem, "stem2": stem2, "role": rng.choice(_ROLES), "tld": rng.choice(_TLDS),
            "provider": rng.choice(_PROVIDERS), "path": rng.choice(_PATHS)}
    return re.sub(r"\{(\w+)\}", lambda m: fill[m.group(1)], pattern)


def make_contact(kind: str, rng: random.Random, split: str, arabic_indic: bool = False
                 ) -> tuple[str, Template] | None:
    """A contact of ``kind`` (phone, email, url, handle) in a format of ``split``, with its format template."""
    formats = pool(FORMATS[kind], split)
    if not formats:
        return None
    fmt = rng.choice(formats)
    if kind == "phone":
        return render_phone(fmt.text, rng, arabic_indic), fmt
    return render_name(fmt.text, rng), fmt


def fill_contacts(text: str, rng: random.Random, split: str, arabic_indic: bool = False
                  ) -> tuple[str, list[Template], list[str]] | None:
    """``text`` with its {phone}/{email}/{url}/{handle} slots filled; the formats used and the values made."""
    formats: list[Template] = []
    values: list[str] = []
    for kind in re.findall(r"\{(phone|email|url|handle)\}", text):
        made = make_contact(kind, rng, split, arabic_indic)
        if made is None:
            return None
        value, fmt = made
        text = text.replace("{" + kind + "}", value, 1)
        formats.append(fmt)
        values.append(value)
    return text, formats, values
