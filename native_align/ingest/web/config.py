"""Settings of the web (WARC / WET) input. Defaults are the measured choices of docs/web.md."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from native_align.config import Section


class UrlFilterConfig(Section):
    """FineWeb-style URL rules, applied before a page is decoded or extracted (counted per rule)."""

    enabled: bool = True
    # One domain per line ('#' comments); a domain also blocks its subdomains. package://web_sample/url_blocklist.txt
    # is a tiny example; production runs point this at a maintained list.
    blocklist_file: str | None = None
    # More domains, same rule (handy for --set overrides).
    blocklist: list[str] = Field(default_factory=list)
    # One of these URL words is enough: unambiguous adult terms.
    banned_words: list[str] = Field(default_factory=lambda: ["porn", "porno", "xxx", "hentai", "nsfw", "سكس"])
    # Each alone is ambiguous ("adult education"); soft_min_hits of them together are not.
    soft_words: list[str] = Field(default_factory=lambda: ["sex", "sexy", "adult", "nude", "naked", "erotic",
                                                           "escort", "milf", "hot"])
    soft_min_hits: int = Field(2, ge=1)
    # Substrings of the URL with separators removed ("freepornvideos"); empty by default: substrings misfire
    # ("sussex"), so only add strings that cannot occur inside innocent words.
    banned_subwords: list[str] = Field(default_factory=list)


class WebConfig(Section):
    """How WARC/WET records become documents (see docs/web.md for the measurements behind each default)."""

    # resiliparse: F1 0.96, leak 2.7%, ~4x faster; trafilatura: F1 0.98, leak 1.0% (docs/web.md).
    extractor: Literal["resiliparse", "trafilatura"] = "resiliparse"
    # Lines before the first / after the last line with this many words (or a sentence of >= 4 words) are dropped:
    # tickers, bylines, share bars, ads around the article. 0 keeps the extractor's text as it is.
    edge_min_words: int = Field(15, ge=0)
    # Shorter main texts are quarantined as no_main_text (1 = only empty ones; curate judges short texts later).
    min_text_chars: int = Field(1, ge=1)
    # Used only when the BOM, the HTTP header and <meta> give no charset that decodes cleanly. cchardet was more
    # accurate than charset-normalizer on short Arabic texts (ISO-8859-6: 98% vs 0% at 30 characters).
    charset_detector: Literal["cchardet", "charset-normalizer", "none"] = "cchardet"
    # Tried in order after detection; each must decode strictly and pass the mojibake checks.
    fallback_charsets: list[str] = Field(default_factory=lambda: ["utf-8", "windows-1256", "iso-8859-6"])
    # The HTML standard's prescan looks at the first 1024 bytes for <meta charset>.
    meta_scan_bytes: int = Field(1024, ge=64)
    # Record types that can hold a document; every other type (warcinfo, request, metadata, revisit) is counted
    # under skipped.<type> without reading its payload.
    record_types: list[Literal["response", "resource", "conversion"]] = Field(
        default_factory=lambda: ["response", "resource", "conversion"])
    # HTTP bodies of other media types are skipped.non_html; a missing Content-Type is sniffed from the body.
    html_content_types: list[str] = Field(default_factory=lambda: ["text/html", "application/xhtml+xml"])
    # Redirects and error pages carry the site's template, not an article: skipped.http_status.
    skip_http_errors: bool = True
    # Bigger payloads are quarantined (payload_too_large) before decoding: guards the extractor's time and memory.
    max_payload_bytes: int = Field(8 * 1024 * 1024, ge=1)
    # How much of a quarantined record's payload is kept as its excerpt.
    excerpt_chars: int = Field(500, ge=0)
    url_filter: UrlFilterConfig = Field(default_factory=UrlFilterConfig)
