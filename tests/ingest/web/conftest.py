"""Small WARC files written in the test with warcio, record by record, so a test can cut the last one short."""

from __future__ import annotations

import io
import itertools

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ARTICLE = ("أعلنت البلدية افتتاح حديقة جديدة في وسط المدينة تضم مسارات للمشي وملاعب للأطفال ومساحات خضراء واسعة. "
           "وقال المسؤولون إن الحديقة ستفتح أبوابها للجمهور طوال أيام الأسبوع من الصباح حتى منتصف الليل.")
ARTICLE2 = ("وأضافوا أن المشروع استغرق عامين من العمل المتواصل، وأن أشجاره جلبت من مشاتل محلية لتناسب مناخ المنطقة "
            "الحار وتحتاج إلى كميات قليلة من المياه.")
TITLE = "افتتاح حديقة جديدة في وسط المدينة"
NAV = ["الرئيسية", "محليات", "اقتصاد", "رياضة", "اتصل بنا"]
FOOTER = "جميع الحقوق محفوظة لموقع المثال الإخباري، ولا يجوز نسخ المحتوى دون إذن"
COOKIE = "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على الموقع"
COMMENT = "تعليق القارئ: خبر جميل جدا ننتظر الافتتاح بفارغ الصبر"


def news_page(charset_meta: str | None = "utf-8", body: str | None = None) -> str:
    """A news page: menu, breadcrumbs, article, share bar, comments, cookie banner, footer, script."""
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    menu = "".join(f'<li><a href="/{i}">{w}</a></li>' for i, w in enumerate(NAV))
    article = body if body is not None else f"<p>{ARTICLE}</p>\n<p>{ARTICLE2}</p>"
    return (f"<!DOCTYPE html><html lang='ar'><head>{meta}<title>{TITLE} | موقع المثال</title>"
            "<script>var x = 1; function track(){}</script><style>.a{color:red}</style></head><body>"
            f'<header><nav><ul class="menu">{menu}</ul></nav></header>'
            f'<div class="breadcrumbs"><a href="/">الرئيسية</a> › محليات</div>'
            f'<main><article><h1>{TITLE}</h1><div class="article-body">{article}</div>'
            '<div class="share"><a href="#">شارك</a> <a href="#">تويتر</a></div></article></main>'
            f'<section class="comments" id="comments"><h3>التعليقات</h3><div class="comment"><p>{COMMENT}</p>'
            "</div></section>"
            f'<div id="cookie-banner" class="cookie-consent"><p>{COOKIE}</p><button>موافق</button></div>'
            f'<footer class="site-footer"><p>{FOOTER}</p></footer></body></html>')


class WarcBuilder:
    """Collects records; ``bytes()`` joins them, optionally cutting the last record to a fraction."""

    def __init__(self, gz: bool = True):
        self.gz, self.chunks, self._ids = gz, [], itertools.count()

    def _add(self, uri: str, rtype: str, payload: bytes, http: StatusAndHeaders | None = None,
             ctype: str = "", extra: dict | None = None) -> str:
        rid = f"<urn:uuid:00000000-0000-4000-8000-{next(self._ids):012d}>"
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=self.gz)
        headers = {"WARC-Record-ID": rid, "WARC-Date": "2024-03-01T10:00:00Z", **(extra or {})}
        writer.write_record(writer.create_warc_record(uri, rtype, payload=io.BytesIO(payload), http_headers=http,
                                                      warc_content_type=ctype, warc_headers_dict=headers))
        self.chunks.append(buf.getvalue())
        return rid

    def warcinfo(self) -> str:
        return self._add("", "warcinfo", b"software: test\r\n", ctype="application/warc-fields")

    def response(self, uri: str, body: bytes, ctype: str | None = "text/html; charset=utf-8",
                 status: str = "200 OK", headers: list | None = None) -> str:
        hdrs = ([("Content-Type", ctype)] if ctype else []) + (headers or [])
        return self._add(uri, "response", body, http=StatusAndHeaders(status, hdrs, protocol="HTTP/1.1"))

    def request(self, uri: str) -> str:
        req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        return self._add(uri, "request", b"", http=req)

    def metadata(self, uri: str) -> str:
        return self._add(uri, "metadata", b"fetchTimeMs: 12\r\n", ctype="application/warc-fields")

    def revisit(self, uri: str) -> str:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        return self._add(uri, "revisit", b"", http=http,
                         extra={"WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                                "WARC-Payload-Digest": "sha1:" + "A" * 32})

    def resource(self, uri: str, body: bytes, ctype: str = "text/html") -> str:
        return self._add(uri, "resource", body, ctype=ctype)

    def conversion(self, uri: str, text: str, refers_to: str = "<urn:uuid:x>") -> str:
        return self._add(uri, "conversion", text.encode("utf-8"), ctype="text/plain",
                         extra={"WARC-Refers-To": refers_to})

    def bytes(self, cut_last: float | None = None) -> bytes:
        if cut_last is None:
            return b"".join(self.chunks)
        last = self.chunks[-1]
        return b"".join(self.chunks[:-1]) + last[:int(len(last) * cut_last)]


@pytest.fixture
def warc():
    return WarcBuilder
