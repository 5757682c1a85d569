"""Charset decisions: BOM > HTTP > <meta> > detection, each decoding checked, legacy Arabic code pages exact, wrong
declarations caught, random bytes refused with a reason."""

from __future__ import annotations

import codecs
import random

import pytest

from native_align.ingest.web.encoding import (UNDECODABLE, decode_html, garbage_reason, make_detector, meta_charset,
                                              normalize_label)

from .conftest import ARTICLE, news_page

DETECTORS = ["cchardet", "charset-normalizer", "none"]


def _page(meta=None):
    return news_page(meta) + "<p>«اقتباس» — علامات خاصة</p>"  # « » — are not in ISO-8859-6


@pytest.mark.parametrize("detector", DETECTORS)
def test_windows_1256_declared_in_http_header(detector):
    html = _page()
    d = decode_html(html.encode("cp1256"), "windows-1256", detector=make_detector(detector))
    assert (d.text, d.charset, d.source) == (html, "cp1256", "http")


@pytest.mark.parametrize("detector", DETECTORS)
def test_iso_8859_6_declared_in_meta(detector):
    html = _page("ISO-8859-6")
    data = html.encode("iso8859-6", "xmlcharrefreplace")
    d = decode_html(data, None, detector=make_detector(detector))
    assert d.text == data.decode("iso8859-6") and d.source == "meta" and ARTICLE in d.text
    assert "&#171;" in d.text  # the page's own character reference, left for the HTML parser


def test_http_equiv_meta():
    html = news_page(None).replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; '
                                             'charset=windows-1256">')
    d = decode_html(html.encode("cp1256"))
    assert d.text == html and d.source == "meta"


@pytest.mark.parametrize("detector", DETECTORS)
def test_utf8_bom_wins_over_a_wrong_header(detector):
    html = _page()
    d = decode_html(codecs.BOM_UTF8 + html.encode(), "windows-1256", detector=make_detector(detector))
    assert (d.text, d.source) == (html, "bom")


@pytest.mark.parametrize("detector", DETECTORS)
@pytest.mark.parametrize("actual,declared,meta", [
    ("cp1256", "utf-8", "utf-8"),          # header and meta say UTF-8, bytes are windows-1256
    ("cp1256", "iso-8859-1", None),        # Latin-1 decodes every byte: mojibake "ÇáÚÑÈíÉ" must be refused
    ("utf-8", "iso-8859-1", None),         # UTF-8 read as Latin-1: "Ø§Ù„"
    ("utf-8", None, "windows-1256"),       # UTF-8 read as windows-1256: "ط§ظ„"
    ("iso8859-6", "utf-8", None),          # ISO-8859-6 behind a UTF-8 header
    ("iso8859-6", "windows-1256", None),   # ISO-8859-6 read as windows-1256 gives Arabic with Latin letters inside
])
def test_misdeclared_pages_decode_to_the_right_text(detector, actual, declared, meta):
    html = _page(meta)
    data = html.encode(actual, "xmlcharrefreplace")
    d = decode_html(data, declared, detector=make_detector(detector))
    assert d.text == data.decode(actual), (d.charset, d.source)
    assert d.source in ("detected", "fallback", "meta", "http")


@pytest.mark.parametrize("detector", DETECTORS)
@pytest.mark.parametrize("declared", [None, "utf-8", "windows-1256", "iso-8859-6", "iso-8859-1"])
def test_random_bytes_are_undecodable_with_a_reason(detector, declared):
    data = random.Random(7).randbytes(3000)
    d = decode_html(data, declared, detector=make_detector(detector))
    assert d.text is None and d.reason == UNDECODABLE and d.error


def test_ascii_page_and_undeclared_utf8():
    assert decode_html(b"<html><p>hello</p></html>").source == "ascii"
    d = decode_html(_page().encode())
    assert d.text == _page() and d.charset == "utf-8"


def test_non_arabic_latin_page_keeps_its_declared_charset():
    html = "<html><head><title>Été</title></head><body><p>Le café était très animé à Montréal.</p></body></html>"
    d = decode_html(html.encode("cp1252"), "iso-8859-1")
    assert d.text == html and d.source == "http"


def test_labels_and_meta_prescan():
    assert normalize_label("Windows-1256") == "cp1256" and normalize_label("ISO_8859-6") == "iso8859-6"
    assert normalize_label("latin1") == "cp1252" and normalize_label("UTF8") == "utf-8"
    assert normalize_label("no-such-charset") is None and normalize_label(None) is None
    assert meta_charset(b'<meta charset="windows-1256">') == "windows-1256"
    assert meta_charset(b"<meta content='text/html; charset=ISO-8859-6' http-equiv=Content-Type>") == "ISO-8859-6"
    assert meta_charset(b'<?xml version="1.0" encoding="utf-8"?>') == "utf-8"
    assert meta_charset(b" " * 2000 + b'<meta charset="cp1256">') is None  # beyond the first 1024 bytes


def test_unknown_declared_label_is_reported_when_nothing_works():
    d = decode_html(random.Random(1).randbytes(500), "x-klingon")
    assert d.text is None and "x-klingon" in d.error


def test_garbage_reasons():
    arabic = "<p>" + ARTICLE + "</p>"
    assert garbage_reason(arabic, "utf-8", arabic.encode()) is None
    assert "UTF-8" in garbage_reason(arabic.encode().decode("cp1256"), "cp1256", arabic.encode())
    soup = arabic.encode("cp1256").decode("cp1252")
    assert "Latin" in garbage_reason(soup, "cp1252", arabic.encode("cp1256"))
    mixed = arabic.encode("iso8859-6").decode("cp1256")
    assert "code page" in garbage_reason(mixed, "cp1256", arabic.encode("iso8859-6"))
    assert "control" in garbage_reason("<p>\x01\x02\x03abc</p>", "cp1256", b"")


def test_unknown_detector_name():
    with pytest.raises(ValueError):
        make_detector("magic")


@pytest.mark.parametrize("detector", DETECTORS)
@pytest.mark.parametrize("declared", [None, "utf-8", "windows-1256"])
def test_utf8_with_a_few_broken_bytes_is_repaired_not_mojibake(detector, declared):
    data = _page().encode()
    stray = data[:400] + b"\xff" + data[400:]
    cut = data + "نهاية".encode()[:-1]  # a crawler's size limit cut the last character in half
    for broken in (stray, cut):
        d = decode_html(broken, declared, detector=make_detector(detector))
        assert d.source == "utf-8-repaired" and d.text.count("\ufffd") == 1 and ARTICLE in d.text
        assert d.text == broken.decode("utf-8", "replace")
