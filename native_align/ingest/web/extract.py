"""Decoded HTML -> (title, main text), with Resiliparse (default) or Trafilatura.

Both were measured on pages of known content (docs/web.md): word F1 against the article and the share of template
words (menus, comments, cookie banner, ads, footer) that leak into the text. The title is found the same way for
both (og:title, then the first <h1>, then <title> without the site name), so the choice of extractor never changes
titles. An empty main text is ``no_main_text``: the page is quarantined, not turned into an empty document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

NO_MAIN_TEXT = "no_main_text"
EXTRACTION_FAILED = "extraction_failed"

_META_TAG = re.compile(r"<meta\s[^>]*>", re.I)
_ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_SITE_SEP = re.compile(r"\s+(?:\||-|–|—|::|«|»|·)\s+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_WORDS = re.compile(r"\w+")
# Sentence-final punctuation, optionally followed by closing quotes/brackets.
_SENTENCE_END = re.compile(r"[.!?\u061f\u2026:][\"'\u00bb\u201d)\]]*$")


@dataclass
class Extracted:
    title: str | None
    text: str | None
    reason: str | None = None
    error: str | None = None


def _clean(fragment: str) -> str:
    return _SPACE.sub(" ", unescape(_TAGS.sub(" ", fragment))).strip()


def _og_title(head: str) -> str | None:
    for tag in _META_TAG.findall(head):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or "" for m in _ATTR.finditer(tag)}
        if attrs.get("property", attrs.get("name", "")).lower() in ("og:title", "twitter:title"):
            value = _clean(attrs.get("content", ""))
            if value:
                return value
    return None


def extract_title(html: str, max_chars: int = 300) -> str | None:
    """og:title / twitter:title, else the first <h1>, else <title> minus a ``| Site name`` part."""
    head = html[:html.lower().find("</head>") + 1 or 20000]
    title = _og_title(head)
    if title:
        return title[:max_chars]
    h1 = _H1.search(html)
    if h1 and 2 <= len(_clean(h1.group(1))) <= max_chars:
        return _clean(h1.group(1))
    m = _TITLE.search(head)
    if not m:
        return None
    parts = [p for p in _SITE_SEP.split(_clean(m.group(1))) if p]
    return max(parts, key=len)[:max_chars] if parts else None


def _resiliparse(html: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(html)
    return extract_plain_text(tree, preserve_formatting=True, main_content=True, list_bullets=False,
                              alt_texts=False, links=False, form_fields=False, noscript=False, comments=False,
                              post_meta=False)


def _trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=True, include_images=False,
                               include_links=False, with_metadata=False, deduplicate=False) or ""


EXTRACTORS = {"resiliparse": _resiliparse, "trafilatura": _trafilatura}


def tidy(text: str) -> str:
    """Lines stripped, runs of blank lines folded to one: the text as a reader would copy it."""
    lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def strip_title(text: str, title: str | None) -> str:
    """Drop the title when the extractor kept it as the first line (the title has its own column)."""
    if title:
        first, _, rest = text.partition("\n")
        if _SPACE.sub(" ", first).strip() == title:
            return rest.lstrip("\n")
    return text


def _is_prose(line: str, min_words: int) -> bool:
    n = len(_WORDS.findall(line))
    return n >= min_words or (n >= 4 and _SENTENCE_END.search(line) is not None)


def trim_edges(text: str, min_words: int = 15) -> str:
    """Drop the lines before the first and after the last line that reads as prose (a sentence, or a long line):
    site names, tickers, dates, share/print bars and ads that an extractor keeps around the article."""
    lines = text.split("\n")
    keep = [i for i, ln in enumerate(lines) if _is_prose(ln, min_words)]
    if not keep:
        return ""
    return "\n".join(lines[keep[0]:keep[-1] + 1]).strip()


def extract(html: str, extractor: str = "resiliparse", min_chars: int = 1, edge_min_words: int = 15) -> Extracted:
    """(title, main text) of one page; an exception in the extractor becomes ``extraction_failed``.
    ``edge_min_words`` 0 keeps the extractor's text as it is (no :func:`trim_edges`)."""
    title = extract_title(html)
    try:
        text = tidy(EXTRACTORS[extractor](html))
    except Exception as exc:  # noqa: BLE001 - one broken page must not stop the file
        return Extracted(title, None, EXTRACTION_FAILED, f"{extractor}: {type(exc).__name__}: {exc}"[:500])
    text = strip_title(text, title)
    if edge_min_words:
        text = trim_edges(text, edge_min_words)
    if len(text) < min_chars:
        return Extracted(title, None, NO_MAIN_TEXT, f"{extractor} found {len(text)} characters of main text")
    return Extracted(title, text)
