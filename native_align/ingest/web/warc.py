"""Records of one WARC or WET file, as plain dataclasses, with a countable outcome for a file cut short.

Parsing is FastWARC's (~4x warcio's records/s alone, ~1.5x with our gzip layer; docs/web.md). Decompression is
ours: a ``.gz`` file is a series of gzip members, and FastWARC (like warcio) silently drops a last member that was
cut short, so the gzip layer here decompresses member by member and *reports* a member that ends early instead of
raising in the middle of the previous, complete record. A record whose block is shorter than its
``Content-Length``, or whose header is cut, becomes a :class:`TruncatedRecord`; every record before it has been
yielded already.
"""

from __future__ import annotations

import io
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator

from fastwarc.warc import ArchiveIterator

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16


@dataclass
class WarcRecord:
    """One record to process. ``payload`` is the HTTP body for HTTP records, the whole block otherwise."""

    warc_file: str
    position: int                    # 0-based index of the record in the file (every type counts)
    record_id: str | None
    record_type: str                 # response, resource, conversion, ...
    target_uri: str | None
    fetch_date: str | None           # WARC-Date as written (ISO 8601, UTC)
    http_status: int | None
    content_type: str | None         # media type of the HTTP Content-Type (WARC Content-Type if no HTTP), lower case
    declared_charset: str | None     # charset= of the HTTP Content-Type, as the server wrote it
    payload: bytes
    refers_to: str | None = None     # WET: the response record the text was converted from
    body_error: str | None = None    # an HTTP header or Content-/Transfer-Encoding that could not be read
    payload_length: int = 0          # bytes of payload in the record (before any decoding)
    oversized: bool = False          # payload_length over the reader's limit: payload left unread (empty)


@dataclass
class TruncatedRecord:
    """The file ends inside this record (a cut download) or cannot be parsed past it; reading stops here."""

    warc_file: str
    position: int
    record_id: str | None
    target_uri: str | None
    error: str


class _Source(io.RawIOBase):
    """Raw bytes of the file after ``head`` was peeked at, with ``tell()`` (FastWARC asks for it; a socket-like or
    Hadoop stream may not have one)."""

    def __init__(self, raw: BinaryIO, head: bytes):
        self.raw, self.head, self.pos = raw, head, 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def readinto(self, buf) -> int:
        if self.head:
            n = min(len(buf), len(self.head))
            buf[:n], self.head = self.head[:n], self.head[n:]
        else:
            data = self.raw.read(len(buf))
            n = len(data)
            buf[:n] = data
        self.pos += n
        return n


@dataclass
class ReadStats:
    """What :func:`iter_records` saw: every record started (a truncated one too) and the skipped ones by type."""

    records: int = 0
    skipped: Counter = field(default_factory=Counter)


class GunzipReader(io.RawIOBase):
    """Multi-member gzip -> plain bytes. A member cut short ends the stream and sets ``error`` (no exception), so
    the records already decompressed stay readable."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.error, self.pos = raw, None, 0
        self._d, self._fed, self._in = zlib.decompressobj(31), False, b""
        self._out, self._at, self._done = b"", 0, False

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def readinto(self, buf) -> int:
        while self._at >= len(self._out):
            if self._done:
                return 0
            self._fill()
        n = min(len(buf), len(self._out) - self._at)
        buf[:n] = self._out[self._at:self._at + n]
        self._at += n
        self.pos += n
        return n

    def _fill(self) -> None:
        if self._d.eof:  # next member
            self._in = self._d.unused_data + self._in
            self._d, self._fed = zlib.decompressobj(31), False
            if self._in and not self._in.strip(b"\x00"):  # zero padding after the last member
                self._in = b""
        if not self._in:
            self._in = self.raw.read(_CHUNK)
            if not self._in:
                if self._fed and not self._d.eof:
                    self.error = "gzip member cut short (the file ends inside a compressed record)"
                self._done = True
                return
        try:
            self._out, self._at = self._d.decompress(self._in, _CHUNK), 0
        except zlib.error as exc:
            self.error, self._done = f"gzip data error: {exc}", True
            return
        self._fed = True
        self._in = self._d.unconsumed_tail


def open_plain(stream: BinaryIO) -> tuple[BinaryIO, GunzipReader | None]:
    """A plain, buffered view of a WARC stream; gzip is told by its magic bytes, not by the file name."""
    head = stream.read(2)
    source = _Source(stream, head)
    if head == _GZIP_MAGIC:
        gz = GunzipReader(io.BufferedReader(source, _CHUNK))
        return io.BufferedReader(gz, _CHUNK), gz
    return io.BufferedReader(source, _CHUNK), None


def _media_type(value: str | None) -> tuple[str | None, str | None]:
    """'text/html; charset=windows-1256' -> ('text/html', 'windows-1256')."""
    if not value:
        return None, None
    parts = value.split(";")
    charset = None
    for param in parts[1:]:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("'\"") or None
    return parts[0].strip().lower() or None, charset


def _dechunk(body: bytes) -> bytes:
    out, pos = [], 0
    while True:
        end = body.index(b"\r\n", pos)
        size = int(body[pos:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[end + 2:end + 2 + size])
        pos = end + 4 + size


def decode_http_body(body: bytes, transfer: str | None, content: str | None) -> bytes:
    """Undo chunked transfer and gzip/deflate/br content coding (Common Crawl stores bodies decoded already and
    renames these headers, so this runs for other crawlers' WARCs). Raises ValueError when it cannot."""
    try:
        if transfer and "chunked" in transfer.lower():
            body = _dechunk(body)
        coding = (content or "").strip().lower()
        if coding in ("gzip", "x-gzip"):
            body = zlib.decompress(body, 47)
        elif coding == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                body = zlib.decompress(body, -15)
        elif coding == "br":
            import brotli  # optional: only for brotli-coded bodies

            body = brotli.decompress(body)
    except Exception as exc:  # noqa: BLE001 - every failure means the body cannot be read
        raise ValueError(f"cannot undo encoding (transfer={transfer}, content={content}): {exc}") from exc
    return body


def iter_records(stream: BinaryIO, warc_file: str, record_types: frozenset[str] = frozenset(
        {"response", "resource", "conversion"}), stats: ReadStats | None = None,
        max_payload_bytes: int | None = None) -> Iterator[WarcRecord | TruncatedRecord]:
    """Every record of ``record_types`` in the file; the others are counted in ``stats.skipped`` by type, unread.
    A payload over ``max_payload_bytes`` is not read into memory (``payload`` empty, ``oversized`` set).

    Ends with one :class:`TruncatedRecord` when the file is cut short or unparseable past some point.
    """
    stats = stats if stats is not None else ReadStats()
    plain, gz = open_plain(stream)
    position = 0
    try:
        for rec in ArchiveIterator(plain, parse_http=False, stream_detect=False):
            wtype = rec.headers.get("WARC-Type")
            if wtype is None or rec.headers.get("Content-Length") is None:
                rid = rec.record_id if (rec.record_id or "").endswith(">") else None
                why = "record header is incomplete (missing WARC-Type or Content-Length)"
                stats.records += 1
                yield TruncatedRecord(warc_file, position, rid, None, f"{gz.error}; {why}" if gz and gz.error else why)
                return
            stats.records += 1
            rtype = wtype.strip().lower()
            if rtype not in record_types:
                expected = rec.content_length
                if rec.consume() < expected:
                    yield _cut(rec, warc_file, position, expected)
                    return
                stats.skipped[rtype] += 1
                position += 1
                continue
            out = _read(rec, warc_file, position, rtype, max_payload_bytes)
            yield out
            if isinstance(out, TruncatedRecord):
                return
            position += 1
    except BaseException as exc:  # noqa: BLE001 - a parse error (FastWARC panics are BaseException) ends the file
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        stats.records = position + 1
        yield TruncatedRecord(warc_file, position, None, None, gz and gz.error or f"{type(exc).__name__}: {exc}")
        return
    if gz is not None and gz.error:
        stats.records += 1
        yield TruncatedRecord(warc_file, position, None, None, gz.error)


def _cut(rec, warc_file: str, position: int, expected: int) -> TruncatedRecord:
    return TruncatedRecord(warc_file, position, rec.record_id, rec.headers.get("WARC-Target-URI"),
                           f"record block shorter than its Content-Length ({expected} bytes expected)")


def _read(rec, warc_file: str, position: int, rtype: str, max_payload: int | None) -> WarcRecord | TruncatedRecord:
    expected_block = rec.content_length
    status = ctype = charset = transfer = coding = body_error = None
    if rec.is_http:
        try:
            rec.parse_http()
        except Exception as exc:  # noqa: BLE001 - e.g. a header over FastWARC's limit: this record only
            body_error = f"unparseable HTTP header: {exc}"
        else:
            http = rec.http_headers
            status = http.status_code
            ctype, charset = _media_type(http.get("Content-Type"))
            transfer, coding = http.get("Transfer-Encoding"), http.get("Content-Encoding")
    else:
        ctype, charset = _media_type(rec.headers.get("Content-Type"))
    remaining = rec.content_length
    oversized = max_payload is not None and remaining > max_payload
    if oversized or body_error:
        payload, got = b"", rec.consume()
    else:
        payload = rec.reader.read()
        got = len(payload)
    if got < remaining:
        return _cut(rec, warc_file, position, expected_block)
    if (transfer or coding) and not oversized:
        try:
            payload = decode_http_body(payload, transfer, coding)
        except ValueError as exc:
            body_error = str(exc)
    return WarcRecord(warc_file=warc_file, position=position, record_id=rec.record_id, record_type=rtype,
                      target_uri=rec.headers.get("WARC-Target-URI"), fetch_date=rec.headers.get("WARC-Date"),
                      http_status=status, content_type=ctype, declared_charset=charset, payload=payload,
                      refers_to=rec.headers.get("WARC-Refers-To"), body_error=body_error, payload_length=remaining,
                      oversized=oversized)
