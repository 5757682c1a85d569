"""URL filtering before extraction, with the rules FineWeb's URL filter uses (our own code and lists):

- ``domain``: the host or any parent domain is in the blocklist (``ar.example.com`` matches ``example.com``);
- ``banned_word``: one URL word (percent-decoded, lower case, split on anything not a letter or digit) is banned;
- ``soft_words``: at least ``soft_min_hits`` URL words are "soft" words (one alone is too ambiguous);
- ``banned_subword``: a banned string occurs in the URL with separators removed (catches joined words).

Checking the URL costs microseconds; it saves decoding and extracting pages that would be dropped anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlsplit

PACKAGE_SCHEME = "package://"
_SPLIT = re.compile(r"[\W_]+")


def resolve(path: str) -> Path:
    """``package://web_sample/x.txt`` -> the file inside native_align/data; other paths as they are."""
    if path.startswith(PACKAGE_SCHEME):
        return Path(str(resources.files("native_align") / "data" / path[len(PACKAGE_SCHEME):].strip("/")))
    return Path(path)


def read_domain_list(path: str) -> list[str]:
    """One domain per line; blank lines and ``#`` comments ignored."""
    out = []
    for line in resolve(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if "xn--" in host:
        try:
            host = host.encode("ascii").decode("idna")
        except UnicodeError:
            pass
    return host


def url_words(url: str) -> list[str]:
    """The URL's words: percent-decoded (Arabic slugs too), lower case, split on non-alphanumerics."""
    return [w for w in _SPLIT.split(unquote(url).lower()) if w]


@dataclass(frozen=True)
class UrlFilter:
    domains: frozenset[str] = frozenset()
    banned_words: frozenset[str] = frozenset()
    soft_words: frozenset[str] = frozenset()
    soft_min_hits: int = 2
    banned_subwords: tuple[str, ...] = ()

    @classmethod
    def build(cls, domains: Iterable[str] = (), banned_words: Iterable[str] = (), soft_words: Iterable[str] = (),
              soft_min_hits: int = 2, banned_subwords: Iterable[str] = ()) -> UrlFilter:
        norm = frozenset(d.strip().lower().lstrip(".").removeprefix("www.") for d in domains if d.strip())
        return cls(norm, frozenset(w.lower() for w in banned_words), frozenset(w.lower() for w in soft_words),
                   soft_min_hits, tuple(s.lower() for s in banned_subwords if s))

    def rule(self, url: str | None) -> str | None:
        """The first rule that filters ``url`` (``domain``, ``banned_word``, ``soft_words``, ``banned_subword``),
        or None to keep it. A record without a URL is kept (nothing to judge)."""
        if not url:
            return None
        if self.domains:
            parts = _host(url).split(".")
            if any(".".join(parts[i:]) in self.domains for i in range(len(parts))):
                return "domain"
        words = url_words(url)
        if self.banned_words and not self.banned_words.isdisjoint(words):
            return "banned_word"
        if self.soft_words and sum(w in self.soft_words for w in words) >= self.soft_min_hits:
            return "soft_words"
        if self.banned_subwords:
            joined = "".join(words)
            if any(s in joined for s in self.banned_subwords):
                return "banned_subword"
        return None
