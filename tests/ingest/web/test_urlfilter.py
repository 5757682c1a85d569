"""URL rules: blocked domains with their subdomains, banned words, the soft-word threshold, joined subwords."""

from __future__ import annotations

from urllib.parse import quote

from native_align.ingest.web.config import UrlFilterConfig
from native_align.ingest.web.process import url_filter_of
from native_align.ingest.web.urlfilter import UrlFilter, read_domain_list, url_words


def test_domains_and_subdomains():
    f = UrlFilter.build(domains=["bad.example", "www.other.example"])
    assert f.rule("https://bad.example/x") == "domain"
    assert f.rule("http://ar.news.BAD.example:8080/x?y=1") == "domain"
    assert f.rule("https://other.example/") == "domain"  # a listed www. name blocks the domain
    assert f.rule("https://notbad.example/") is None     # a suffix of the name is not a parent domain
    assert f.rule("https://bad.example.org/") is None


def test_banned_and_soft_words():
    f = UrlFilter.build(banned_words=["porn", "سكس"], soft_words=["sex", "adult", "hot"], soft_min_hits=2)
    assert f.rule("https://x.example/free-porn-clips") == "banned_word"
    assert f.rule("https://x.example/" + quote("مقاطع-سكس")) == "banned_word"  # percent-encoded Arabic slug
    assert f.rule("https://x.example/pornography") is None                     # words, not substrings
    assert f.rule("https://x.example/adult-education") is None                 # one soft word is not enough
    assert f.rule("https://x.example/hot_adult/page") == "soft_words"
    assert f.rule("https://x.example/sex/sex") == "soft_words"                 # hits, not distinct words
    assert f.rule(None) is None and f.rule("") is None


def test_banned_subwords_catch_joined_words():
    f = UrlFilter.build(banned_subwords=["freeporn"])
    assert f.rule("https://x.example/FreePornVideos") == "banned_subword"
    assert f.rule("https://x.example/free-porn") == "banned_subword"  # separators removed first
    assert f.rule("https://x.example/free") is None


def test_url_words():
    assert url_words("https://www.Site.example/news/2024/" + quote("خبر-عاجل") + "?id=7") == [
        "https", "www", "site", "example", "news", "2024", "خبر", "عاجل", "id", "7"]


def test_config_with_packaged_blocklist_file(tmp_path):
    assert "casino-jackpot.example" in read_domain_list("package://web_sample/url_blocklist.txt")
    own = tmp_path / "block.txt"
    own.write_text("# comment\n\nmine.example  # trailing comment\n", encoding="utf-8")
    f = url_filter_of(UrlFilterConfig(blocklist_file=str(own), blocklist=["listed.example"]))
    assert f.rule("https://a.mine.example/") == "domain" and f.rule("https://listed.example/") == "domain"
    assert f.rule("https://fine.example/porn") == "banned_word"  # defaults still apply
    assert url_filter_of(UrlFilterConfig(enabled=False)) is None
