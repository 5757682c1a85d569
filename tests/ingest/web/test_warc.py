"""The record reader: fields of each record type, skipped types counted unread, truncation as one countable
outcome after the complete records, HTTP body codings undone."""

from __future__ import annotations

import gzip
import io

import pytest

from native_align.ingest.web.warc import ReadStats, TruncatedRecord, WarcRecord, decode_http_body, iter_records

from .conftest import news_page


def _read(data: bytes, **kw) -> tuple[list, ReadStats]:
    stats = ReadStats()
    return list(iter_records(io.BytesIO(data), "f.warc.gz", stats=stats, **kw)), stats


@pytest.mark.parametrize("gz", [True, False])
def test_each_record_type(warc, gz):
    b = warc(gz=gz)
    b.warcinfo()
    b.request("https://a.example/1")
    rid = b.response("https://a.example/1", news_page("windows-1256").encode("cp1256"),
                     ctype="text/html; charset=Windows-1256")
    b.metadata("https://a.example/1")
    b.revisit("https://a.example/1")
    b.resource("https://a.example/r", b"<html><body>x</body></html>")
    b.conversion("https://a.example/1", "نص الصفحة", refers_to=rid)
    out, stats = _read(b.bytes())
    assert stats.records == 7
    assert dict(stats.skipped) == {"warcinfo": 1, "request": 1, "metadata": 1, "revisit": 1}
    assert [r.record_type for r in out] == ["response", "resource", "conversion"]
    resp, res, conv = out
    assert isinstance(resp, WarcRecord) and resp.position == 2 and resp.record_id == rid
    assert (resp.target_uri, resp.fetch_date, resp.http_status) == ("https://a.example/1", "2024-03-01T10:00:00Z", 200)
    assert (resp.content_type, resp.declared_charset) == ("text/html", "Windows-1256")
    assert resp.payload == news_page("windows-1256").encode("cp1256")
    assert (res.position, res.http_status, res.content_type) == (5, None, "text/html")
    assert conv.payload.decode() == "نص الصفحة" and conv.refers_to == rid and conv.content_type == "text/plain"


def test_skipped_types_are_configurable(warc):
    b = warc()
    b.response("https://a.example/1", b"<html></html>")
    b.conversion("https://a.example/1", "نص")
    out, stats = _read(b.bytes(), record_types=frozenset({"conversion"}))
    assert [r.record_type for r in out] == ["conversion"] and stats.skipped == {"response": 1}


@pytest.mark.parametrize("cut", [0.01, 0.05, 0.3, 0.6, 0.95])
def test_gzip_member_cut_short_keeps_the_records_before(warc, cut):
    b = warc()
    b.warcinfo()
    first = b.response("https://a.example/1", news_page().encode())
    b.response("https://a.example/2", news_page().encode() * 3)
    out, stats = _read(b.bytes(cut_last=cut))
    assert [r.record_id for r in out[:-1]] == [first]
    last = out[-1]
    assert isinstance(last, TruncatedRecord) and last.position == 2 and last.error
    assert stats.records == 3 and stats.skipped == {"warcinfo": 1}


@pytest.mark.parametrize("cut", [0.02, 0.2, 0.5, 0.9])
def test_plain_file_cut_short(warc, cut):
    b = warc(gz=False)
    first = b.response("https://a.example/1", news_page().encode())
    b.response("https://a.example/2", news_page().encode())
    out, stats = _read(b.bytes(cut_last=cut))
    assert out[0].record_id == first and isinstance(out[0], WarcRecord)
    assert isinstance(out[1], TruncatedRecord) and out[1].position == 1 and len(out) == 2 and stats.records == 2


def test_garbage_after_a_complete_gzip_member(warc):
    b = warc()
    b.response("https://a.example/1", b"<html>a</html>")
    out, stats = _read(b.bytes() + b"not gzip at all" * 10)
    assert isinstance(out[0], WarcRecord) and isinstance(out[1], TruncatedRecord) and "gzip" in out[1].error
    assert stats.records == 2


def test_zero_padding_after_the_last_member_is_not_a_record(warc):
    b = warc()
    b.response("https://a.example/1", b"<html>a</html>")
    out, stats = _read(b.bytes() + b"\x00" * 64)
    assert len(out) == 1 and stats.records == 1


def test_reads_from_a_stream_without_seek_or_tell(warc):
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buf):
            return self.data.readinto(buf)

        def tell(self):
            raise io.UnsupportedOperation("tell")

    b = warc()
    b.response("https://a.example/1", b"<html>a</html>")
    b.response("https://a.example/2", b"<html>b</html>")
    out = list(iter_records(Pipe(b.bytes()), "f"))
    assert [r.payload for r in out] == [b"<html>a</html>", b"<html>b</html>"]


def test_chunked_and_gzip_bodies_are_decoded(warc):
    html = news_page().encode()
    coded = gzip.compress(html)
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(coded[i:i + 100]), coded[i:i + 100]) for i in range(0, len(coded), 100))
    b = warc()
    b.response("https://a.example/1", chunked + b"0\r\n\r\n",
               headers=[("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")])
    b.response("https://a.example/2", b"not gzip", headers=[("Content-Encoding", "gzip")])
    out, _ = _read(b.bytes())
    assert out[0].payload == html and out[0].body_error is None
    assert out[1].body_error and "gzip" in out[1].body_error


def test_decode_http_body_deflate():
    import zlib

    assert decode_http_body(zlib.compress(b"abc"), None, "deflate") == b"abc"
    assert decode_http_body(zlib.compress(b"abc")[2:-4], None, "deflate") == b"abc"  # raw deflate, as some send
    with pytest.raises(ValueError):
        decode_http_body(b"zz", "chunked", None)


def test_unparseable_http_header_spoils_only_its_record(warc):
    b = warc()
    b.response("https://a.example/1", b"<html>a</html>", headers=[("X-Long", "a" * 40000)])
    b.response("https://a.example/2", b"<html>b</html>")
    out, stats = _read(b.bytes())
    assert "HTTP header" in out[0].body_error and out[0].payload == b""
    assert out[1].payload == b"<html>b</html>" and out[1].body_error is None and stats.records == 2


def test_oversized_payload_is_not_read(warc):
    b = warc()
    b.response("https://a.example/1", b"<html>" + b"x" * 5000 + b"</html>")
    b.response("https://a.example/2", b"<html>b</html>")
    out, _ = _read(b.bytes(), max_payload_bytes=1000)
    assert out[0].oversized and out[0].payload == b"" and out[0].payload_length == 5013
    assert not out[1].oversized and out[1].payload == b"<html>b</html>"
