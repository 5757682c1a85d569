"""One WARC/WET stream -> outcomes: documents, quarantine rows, and one count row for the file (plain values).

This is what a Spark task calls per file (``binaryFile`` content or an opened stream, inside ``mapInArrow``):

    for out in process_warc_stream(stream, file_name, cfg):
        row = dataclasses.asdict(out)   # out.outcome says which table: document | quarantine | counts

Every record of the file lands in exactly one bucket, so for each file
``records == documents + sum(quarantined) + sum(skipped) + sum(url_filtered)`` (:func:`conserved`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO, Iterator

from native_align.ingest.web.config import UrlFilterConfig, WebConfig
from native_align.ingest.web.encoding import decode_html, make_detector, normalize_label
from native_align.ingest.web.extract import NO_MAIN_TEXT, extract, tidy
from native_align.ingest.web.urlfilter import UrlFilter, read_domain_list
from native_align.ingest.web.warc import ReadStats, TruncatedRecord, WarcRecord, iter_records

TRUNCATED_RECORD = "truncated_record"
UNDECODABLE = "undecodable"
BAD_HTTP_BODY = "bad_http_body"
PAYLOAD_TOO_LARGE = "payload_too_large"
_HTML_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title")


@dataclass
class WebDocument:
    """A page that became a document, with its lineage (file, record, URL, fetch date, HTTP status)."""

    warc_file: str
    position: int
    record_id: str | None
    record_type: str
    url: str | None
    fetch_date: str | None
    http_status: int | None
    content_type: str | None
    charset: str | None          # the Python codec the text was decoded with
    charset_source: str | None   # bom | http | meta | detected | fallback | ascii | utf-8-repaired | wet
    title: str | None
    text: str
    outcome: str = "document"


@dataclass
class WebQuarantine:
    """A record that could hold a document but did not become one: a named reason, a message, an excerpt."""

    warc_file: str
    position: int
    record_id: str | None
    url: str | None
    fetch_date: str | None
    reason: str
    error: str | None
    excerpt: str | None
    outcome: str = "quarantine"


@dataclass
class WebFileCounts:
    """The last outcome of a file: records seen by the reader and where each went."""

    warc_file: str
    records: int = 0
    documents: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    url_filtered: dict[str, int] = field(default_factory=dict)
    outcome: str = "counts"


def conserved(c: WebFileCounts) -> bool:
    """Every record is accounted for exactly once."""
    return c.records == c.documents + sum(c.quarantined.values()) + sum(c.skipped.values()) + sum(
        c.url_filtered.values())


def url_filter_of(cfg: UrlFilterConfig) -> UrlFilter | None:
    """The compiled filter, or None when URL filtering is off."""
    if not cfg.enabled:
        return None
    domains = list(cfg.blocklist) + (read_domain_list(cfg.blocklist_file) if cfg.blocklist_file else [])
    return UrlFilter.build(domains, cfg.banned_words, cfg.soft_words, cfg.soft_min_hits, cfg.banned_subwords)


def _excerpt(data: bytes | str, n: int) -> str | None:
    if not n or not data:
        return None
    return (data[:n] if isinstance(data, str) else data[:n * 4].decode("utf-8", "replace")[:n])


def _is_html(rec: WarcRecord, types: frozenset[str]) -> bool:
    if rec.content_type:
        return rec.content_type in types
    head = rec.payload[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_SNIFF)


class _Processor:
    """Holds what one settings object compiles to (detector, URL filter, codec names)."""

    def __init__(self, cfg: WebConfig):
        self.cfg = cfg
        self.detector = make_detector(cfg.charset_detector)
        self.fallbacks = tuple(c for c in (normalize_label(x) for x in cfg.fallback_charsets) if c)
        self.html_types = frozenset(t.lower() for t in cfg.html_content_types)
        self.urls = url_filter_of(cfg.url_filter)

    def quarantine(self, rec: WarcRecord, reason: str, error: str | None, excerpt: bytes | str) -> WebQuarantine:
        return WebQuarantine(rec.warc_file, rec.position, rec.record_id, rec.target_uri, rec.fetch_date, reason,
                             error, _excerpt(excerpt, self.cfg.excerpt_chars))

    def one(self, rec: WarcRecord) -> WebDocument | WebQuarantine | tuple[str, str]:
        """A document, a quarantine row, or ("skipped" | "url_filtered", key)."""
        cfg = self.cfg
        wet = rec.record_type == "conversion"
        if rec.body_error and rec.http_status is None:  # the HTTP header itself was unreadable: nothing to skip on
            return self.quarantine(rec, BAD_HTTP_BODY, rec.body_error, rec.payload)
        if not wet:
            if cfg.skip_http_errors and rec.http_status is not None and not 200 <= rec.http_status < 300:
                return "skipped", "http_status"
            if not _is_html(rec, self.html_types):
                return "skipped", "non_html"
        rule = self.urls.rule(rec.target_uri) if self.urls else None
        if rule:
            return "url_filtered", rule
        if rec.body_error:
            return self.quarantine(rec, BAD_HTTP_BODY, rec.body_error, rec.payload)
        if rec.oversized or len(rec.payload) > cfg.max_payload_bytes:
            size = max(rec.payload_length, len(rec.payload))
            return self.quarantine(rec, PAYLOAD_TOO_LARGE, f"payload is {size} bytes > max_payload_bytes "
                                   f"{cfg.max_payload_bytes}", rec.payload)
        if wet:
            return self._wet(rec)
        dec = decode_html(rec.payload, rec.declared_charset, detector=self.detector, fallbacks=self.fallbacks,
                          meta_scan_bytes=cfg.meta_scan_bytes)
        if dec.text is None:
            return self.quarantine(rec, UNDECODABLE, dec.error, rec.payload)
        ext = extract(dec.text, cfg.extractor, cfg.min_text_chars, cfg.edge_min_words)
        if ext.text is None:
            return self.quarantine(rec, ext.reason or NO_MAIN_TEXT, ext.error, dec.text)
        return self._doc(rec, dec.charset, dec.source, ext.title, ext.text)

    def _wet(self, rec: WarcRecord) -> WebDocument | WebQuarantine:
        """A WET conversion record is the page's text already (UTF-8 by the format's definition)."""
        try:
            text = tidy(rec.payload.decode("utf-8"))
        except UnicodeDecodeError as exc:
            return self.quarantine(rec, UNDECODABLE, f"WET text is not UTF-8: {exc}", rec.payload)
        if len(text) < self.cfg.min_text_chars:
            return self.quarantine(rec, NO_MAIN_TEXT, "the conversion record has no text", rec.payload)
        return self._doc(rec, "utf-8", "wet", None, text)

    def _doc(self, rec: WarcRecord, charset, source, title, text) -> WebDocument:
        return WebDocument(rec.warc_file, rec.position, rec.record_id, rec.record_type, rec.target_uri,
                           rec.fetch_date, rec.http_status, rec.content_type, charset, source, title, text)


@lru_cache(maxsize=4)
def _processor(cfg_json: str) -> _Processor:
    """Compiled once per settings in a worker process, not once per file."""
    return _Processor(WebConfig.model_validate_json(cfg_json))


def process_warc_stream(stream: BinaryIO, file_name: str, cfg: WebConfig | None = None
                        ) -> Iterator[WebDocument | WebQuarantine | WebFileCounts]:
    """Every record of one WARC/WET file (plain or gzip) as outcomes, then one :class:`WebFileCounts`."""
    cfg = cfg or WebConfig()
    proc = _processor(cfg.model_dump_json())
    counts = WebFileCounts(file_name)
    stats, filtered, quarantined = ReadStats(), Counter(), Counter()
    for rec in iter_records(stream, file_name, frozenset(cfg.record_types), stats, cfg.max_payload_bytes):
        if isinstance(rec, TruncatedRecord):
            quarantined[TRUNCATED_RECORD] += 1
            yield WebQuarantine(file_name, rec.position, rec.record_id, rec.target_uri, None, TRUNCATED_RECORD,
                                rec.error, None)
            continue
        out = proc.one(rec)
        if isinstance(out, tuple):
            (stats.skipped if out[0] == "skipped" else filtered)[out[1]] += 1
            continue
        if isinstance(out, WebQuarantine):
            quarantined[out.reason] += 1
        else:
            counts.documents += 1
        yield out
    counts.records = stats.records  # counted by the reader, independently of the buckets below
    counts.skipped, counts.url_filtered, counts.quarantined = dict(stats.skipped), dict(filtered), dict(quarantined)
    yield counts
