"""Main-text extraction on a crafted page: the article in, menu/footer/comments/cookie banner out, for both
extractors; titles found the same way for both; empty pages named ``no_main_text``."""

from __future__ import annotations

import pytest

from native_align.ingest.web.extract import NO_MAIN_TEXT, extract, extract_title, strip_title, trim_edges

from .conftest import ARTICLE, ARTICLE2, COMMENT, COOKIE, FOOTER, NAV, TITLE, news_page


@pytest.mark.parametrize("extractor", ["resiliparse", "trafilatura"])
def test_main_text_in_boilerplate_out(extractor):
    got = extract(news_page(), extractor)
    assert got.reason is None and got.title == TITLE
    assert ARTICLE in got.text and ARTICLE2 in got.text
    for junk in [FOOTER, COOKIE, COMMENT, "اتصل بنا", "محليات", "شارك", "track()", ".a{color"]:
        assert junk not in got.text, junk
    assert not got.text.startswith(TITLE)  # the title has its own column


@pytest.mark.parametrize("extractor", ["resiliparse", "trafilatura"])
def test_page_without_main_text(extractor):
    shell = ("<html><head><title>موقع</title><script src='/app.js'></script></head>"
             "<body><div id='app'></div></body></html>")
    got = extract(shell, extractor)
    assert got.text is None and got.reason == NO_MAIN_TEXT and got.error
    empty_article = news_page(body="")
    assert extract(empty_article, extractor).reason == NO_MAIN_TEXT


def test_unknown_extractor_is_a_quarantine_not_a_crash():
    got = extract(news_page(), "nope")
    assert got.text is None and got.reason == "extraction_failed" and "KeyError" in got.error


def test_titles():
    og = '<html><head><meta content="عنوان من og" property="og:title"><title>x | y</title></head><h1>h</h1></html>'
    assert extract_title(og) == "عنوان من og"
    assert extract_title("<html><head><title>t | Site</title></head><body><h1> عنوان  <b>الخبر</b></h1>") == \
        "عنوان الخبر"
    assert extract_title("<html><head><title>عنوان الخبر الطويل - الموقع</title></head><body></body>") == \
        "عنوان الخبر الطويل"
    assert extract_title("<html><body><p>no title</p></body></html>") is None


def test_trim_edges_drops_short_lines_around_prose():
    text = "\n".join(NAV + ["2024-03-01", ARTICLE, "سطر قصير في الوسط", ARTICLE2, "شارك تويتر", FOOTER])
    out = trim_edges(text, 15)
    assert out.startswith(ARTICLE) and out.endswith(ARTICLE2) and "سطر قصير في الوسط" in out
    assert trim_edges("\n".join(NAV), 15) == ""
    assert trim_edges("جملة قصيرة لكنها تامة المعنى.", 15) == "جملة قصيرة لكنها تامة المعنى."


def test_edge_trimming_can_be_switched_off():
    html = news_page(body=f"<p>{ARTICLE}</p><p>اقرأ أيضا</p>")
    assert "اقرأ أيضا" not in extract(html, "resiliparse").text
    assert "اقرأ أيضا" in extract(html, "resiliparse", edge_min_words=0).text


def test_strip_title():
    assert strip_title(f"{TITLE}\n\n{ARTICLE}", TITLE) == ARTICLE
    assert strip_title(ARTICLE, TITLE) == ARTICLE
