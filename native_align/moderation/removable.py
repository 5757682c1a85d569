"""What the code of conduct tells a rewrite to remove, found in a text, and whether a rewrite kept it.

Why one module: the guardrail ``moderation_missed`` and ``eval worker``'s "left" figures must judge a rewrite by
the same detectors, or the evaluation would measure something the guardrail never enforced.

Kinds of item: contact details (``phone`` and ``email`` by ``native_align.pii``'s detectors, ``url`` and ``handle``
by the patterns below), ``ad`` phrases (``resources/moderation/ads_ar.tsv``), and every moderation category the
configured scorer flags (``profanity``, ``sexual``, ``insult_group``, ``threat``). An item is *kept* when the same
item is in the rewrite:

- phone: the same last 8 digits (digits in one script, separators dropped: "+966 55 123 4567" = "0551234567");
- email: the same address, case-insensitive; url: the same host without ``www.``; handle: the same ``@name``;
- ad: the same normalized phrase;
- moderation: a scorer whose spans name terms (lexicon): the same term, in a category flagged in the rewrite;
  any other scorer (windows, API): the rewrite is flagged in a category the original was flagged in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from native_align.moderation.ads import AdPhrases, load_ads
from native_align.moderation.base import CATEGORIES, ModerationResult, ModerationScorer
from native_align.moderation.config import ModerationConfig, make_scorer
from native_align.moderation.text import match_tokens
from native_align.pii.detect import DetectOptions, detect
from native_align.pii.text import URL, fold_digits

CONTACT_KINDS: tuple[str, ...] = ("phone", "email", "url", "handle")
# What a caller can switch: the four contact kinds, ads, and "moderation" for every scorer category.
KINDS: tuple[str, ...] = (*CONTACT_KINDS, "ad", "moderation")
PHONE_KEY_DIGITS = 8  # a national number without its trunk 0 or country code is 7-9 digits: 8 tells phones apart
_PII = DetectOptions(kinds=frozenset({"email", "phone"}))
# Bare web addresses (no scheme, no www.): a Latin host of 3+ labels ending in a common or Arab country TLD. Two
# labels are left out: in news they are mostly names of companies, apps and publications (JD.com, Agar.io,
# Oilprice.com), which a rewrite must keep; 3+ labels were addresses in every news hit (jobs.moi.gov.sa).
_TLDS = "com|net|org|info|biz|io|me|co|sa|ae|eg|kw|qa|bh|om|jo|ma|tn|dz|lb|iq|ly|sd|ps|sy|ye"
_BARE_DOMAIN = re.compile(rf"(?<![\w.@/-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})(?:\.[a-z]{{2}})?"
                          r"(?![\w@-])(?!\.\w)", re.IGNORECASE)
# Social handles: Twitter/Instagram/Snapchat names (Latin letters, digits, _ and inner dots), never an e-mail's @.
_HANDLE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
_SEP = r"[\s\u00a0\-().\u200e\u200f\u202a-\u202e\u2066-\u2069]*"
_PRIORITY = {"email": 0, "url": 1, "handle": 2, "phone": 3}


@dataclass(frozen=True)
class Item:
    """One thing to remove: ``kind``, ``key`` (what "the same item" means, see the module docstring), and where it
    is: ``text[start:end]``."""

    kind: str
    key: str
    start: int
    end: int
    text: str

    def describe(self) -> str:
        return f"{self.kind} «{self.text.strip()[:60]}» [{self.start}:{self.end}]"


@dataclass(frozen=True)
class Scan:
    """The items of one text and, when the scorer was run on it, its moderation result."""

    items: tuple[Item, ...] = ()
    result: ModerationResult | None = None


def _host(url: str) -> str:
    """The site an address points at: "https://www.Example.com/x?y" -> "example.com". A broken address without a
    dotted host ("www.beachcomber - hotels.com" cut at the space) keeps its www. ("www.beachcomber"), so that the
    search in the rewrite does not find the bare brand name."""
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower()).split("/")[0].split("?")[0].split("#")[0]
    host = host.rstrip(".,;:!?)»\"'")
    return host if "." in host else re.sub(r"^https?://", "", url.lower()).rstrip(".,;:!?)»\"'/")


def contact_items(text: str) -> list[Item]:
    """Phones, e-mails, URLs and handles of ``text``, without overlaps (e-mail > url > handle > phone)."""
    if not text:
        return []
    found = []
    for span in detect(text, _PII):
        if span.kind == "email":
            found.append(Item("email", re.sub(r"\s+", "", span.value.lower()), span.start, span.end, span.value))
        else:
            digits = re.sub(r"\D", "", fold_digits(span.value))
            found.append(Item("phone", digits[-PHONE_KEY_DIGITS:], span.start, span.end, span.value))
    if "." in text:
        for m in URL.finditer(text):
            value = m.group().rstrip(".,;:!?)»\"'")
            found.append(Item("url", _host(value), m.start(), m.start() + len(value), value))
        for m in _BARE_DOMAIN.finditer(text):
            if m.group().count(".") >= 2:
                found.append(Item("url", _host(m.group()), m.start(), m.end(), m.group()))
    if "@" in text:
        found += [Item("handle", m.group()[1:].lower(), m.start(), m.end(), m.group()) for m in _HANDLE.finditer(text)]
    kept: list[Item] = []
    for item in sorted(found, key=lambda it: (_PRIORITY[it.kind], it.start - it.end)):
        if item.key and all(item.end <= k.start or k.end <= item.start for k in kept):
            kept.append(item)
    return sorted(kept, key=lambda it: it.start)


def _find_contact(item: Item, rewrite: str, folded: str) -> Item | None:
    """The place where the rewrite still holds ``item`` (an original's contact), or None."""
    if item.kind == "phone":
        pattern = _SEP.join(item.key) + r"(?![0-9])"
        m = re.search(pattern, folded)
        if not m:
            return None
        spans = [s for s in detect(rewrite, _PII) if s.kind == "phone" and s.start < m.end() and m.start() < s.end]
        start, end = (spans[0].start, spans[0].end) if spans else m.span()
        return Item("phone", item.key, start, end, rewrite[start:end])
    if item.kind == "email":
        pattern = r"\s*".join(re.escape(c) for c in item.key)
    elif item.kind == "url":
        pattern = r"(?<![a-z0-9-])" + re.escape(item.key) + r"(?![a-z0-9-])"
    else:
        pattern = r"(?<![\w@./])@" + re.escape(item.key) + r"(?![\w@])"
    m = re.search(pattern, rewrite, re.IGNORECASE)
    return Item(item.kind, item.key, m.start(), m.end(), m.group()) if m else None


class RemovalCheck:
    """Finds removable items and decides which a rewrite kept. Build once per process (:func:`removal_check`):
    the scorer and the phrase list are loaded here."""

    def __init__(self, scorer: ModerationScorer | None = None, ads: AdPhrases | None = None,
                 kinds: Iterable[str] = KINDS):
        self.kinds = frozenset(kinds)
        unknown = self.kinds - set(KINDS)
        if unknown:
            raise ValueError(f"unknown removable kinds {sorted(unknown)}; known: {KINDS}")
        self.scorer = (scorer or make_scorer()) if "moderation" in self.kinds else None
        self.ads = (ads or load_ads()) if "ad" in self.kinds else None

    # -- finding ------------------------------------------------------------------------------------------------
    def scan(self, texts: Sequence[str | None], moderate: Sequence[bool] | None = None) -> list[Scan]:
        """Items of every text; the moderation scorer runs once, on the texts ``moderate`` selects (default all)."""
        texts = [t or "" for t in texts]
        items: list[list[Item]] = [[it for it in contact_items(t) if it.kind in self.kinds] for t in texts]
        if self.ads is not None:
            for found, hits in zip(items, self.ads.find(texts)):
                found += [Item("ad", h.phrase, h.start, h.end, h.text) for h in hits]
        results: list[ModerationResult | None] = [None] * len(texts)
        if self.scorer is not None:
            idx = [i for i, t in enumerate(texts) if t.strip() and (moderate is None or moderate[i])]
            for i, res in zip(idx, self.scorer.score([texts[i] for i in idx]) if idx else []):
                results[i] = res
                items[i] += self._moderation_items(texts[i], res)
        return [Scan(tuple(sorted(f, key=lambda it: it.start)), r) for f, r in zip(items, results)]

    def _moderation_items(self, text: str, res: ModerationResult) -> list[Item]:
        if not res.ok or not res.flagged:
            return []
        flagged = set(res.flagged_categories(self.scorer.thresholds))
        if self.scorer.term_spans:
            return [Item(s.category, " ".join(match_tokens(s.term or s.text)), s.start, s.end, s.text)
                    for s in res.spans if s.category in flagged]
        out = []
        for cat in sorted(flagged, key=CATEGORIES.index):
            span = next((s for s in res.spans if s.category == cat), None)
            start, end = (span.start, span.end) if span else (0, min(len(text), 80))
            out.append(Item(cat, cat, start, end, text[start:end]))
        return out

    # -- judging ------------------------------------------------------------------------------------------------
    def needs_scan(self, original: Scan) -> bool:
        """Does deciding "kept" need the rewrite's own scan (ads, moderation)? Contacts are searched directly."""
        return any(it.kind not in CONTACT_KINDS for it in original.items)

    def needs_scoring(self, original: Scan) -> bool:
        return any(it.kind not in CONTACT_KINDS and it.kind != "ad" for it in original.items)

    def kept(self, original: Scan, rewrite: str, rewrite_scan: Scan | None = None) -> list[Item]:
        """Items of the original that the rewrite still holds, located in the rewrite (one per distinct key)."""
        rewrite = rewrite or ""
        out: list[Item] = []
        seen: set[tuple[str, str]] = set()
        folded = fold_digits(rewrite)
        later = {(it.kind, it.key): it for it in reversed(rewrite_scan.items)} if rewrite_scan else {}
        for item in original.items:
            ident = (item.kind, item.key)
            if ident in seen:
                continue
            seen.add(ident)
            if item.kind in CONTACT_KINDS:
                found = _find_contact(item, rewrite, folded)
            elif self.scorer is not None and not self.scorer.term_spans and item.kind in CATEGORIES:
                found = next((it for it in later.values() if it.kind == item.kind), None)
            else:
                found = later.get(ident)
            if found is not None:
                out.append(found)
        return sorted(out, key=lambda it: it.start)

    def check(self, originals: Sequence[str | None], rewrites: Sequence[str | None],
              before: Sequence[Scan] | None = None) -> list[list[Item]]:
        """Batch: kept items per pair, with one scorer call for the originals (none when ``before`` holds their
        scans already) and one for the rewrites that need it (those whose original had a moderation hit)."""
        before = list(before) if before is not None else self.scan(originals)
        need = [self.needs_scan(s) and bool((r or "").strip()) for s, r in zip(before, rewrites)]
        score = [n and self.needs_scoring(s) for n, s in zip(need, before)]
        idx = [i for i, n in enumerate(need) if n]
        after: list[Scan | None] = [None] * len(rewrites)
        for i, s in zip(idx, self.scan([rewrites[i] for i in idx], [score[i] for i in idx])):
            after[i] = s
        return [self.kept(b, r or "", a) for b, r, a in zip(before, rewrites, after)]


@lru_cache(maxsize=8)
def _cached(cfg_json: str, ads_path: str | None, kinds: tuple[str, ...]) -> RemovalCheck:
    cfg = ModerationConfig.model_validate_json(cfg_json)
    scorer = make_scorer(cfg) if "moderation" in kinds else None
    return RemovalCheck(scorer, load_ads(ads_path) if "ad" in kinds else None, kinds)


def removal_check(cfg: ModerationConfig | None = None, ads_path: str | None = None,
                  kinds: Iterable[str] = KINDS) -> RemovalCheck:
    """The check for these settings, built once per process (a Ray actor, a Spark task, a CLI run)."""
    cfg = cfg or ModerationConfig()
    return _cached(cfg.model_dump_json(), ads_path, tuple(sorted(set(kinds))))
