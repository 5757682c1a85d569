"""The pieces of the web wiring that need no Spark: streams, file formats, settings, samples, one file's rows."""

from __future__ import annotations


import pytest

from native_align.config import ConfigError
from native_align.ingest import schema as S
from native_align.ingest.samples import SAMPLES, sample_overrides
from native_align.ingest.sources import IngestError, detect_format, resolve_path
from native_align.ingest.streams import local_path, open_stream
from native_align.ingest.web.config import UrlFilterConfig, WebConfig
from native_align.ingest.web_reader import arrow_batches, file_rows, with_inline_blocklist
from native_align.settings import build_settings, load_settings

from .conftest import news_page


def test_streams_open_local_paths_uris_and_fsspec(tmp_path):
    f = tmp_path / "a b%.warc"
    f.write_bytes(b"WARC/1.1")
    uri = f.as_uri()  # file:///.../a%20b%25.warc
    assert local_path(uri) == str(f) and local_path(str(f)) == str(f)
    assert local_path("dbfs:/mnt/x.warc") == "/dbfs/mnt/x.warc" and local_path("s3a://b/k") is None
    with open_stream(uri) as s:
        assert s.read(4) == b"WARC"
    fsspec = pytest.importorskip("fsspec")
    with fsspec.open("memory://crawl/x.warc.gz", "wb") as out:
        out.write(b"\x1f\x8b rest")
    with open_stream("memory://crawl/x.warc.gz") as s:
        assert s.read() == b"\x1f\x8b rest"  # not decompressed: the reader tells gzip by its magic bytes
    with pytest.raises(OSError, match="cannot open nosuch://x"):
        open_stream("nosuch://x")


def test_file_rows_one_file_and_a_file_that_cannot_be_opened(tmp_path, warc):
    b = warc()
    b.warcinfo()
    rid = b.response("https://news.example/a", news_page().encode())
    path = tmp_path / "x.warc.gz"
    path.write_bytes(b.bytes())
    rows = list(file_rows(path.as_uri(), WebConfig()))
    assert [r["reason"] for r in rows] == [None, S.WEB_FILE_COUNTS]
    assert rows[0]["record_id"] == rid and rows[0]["position"] == 1 and rows[0]["text_type"] == "STRING"
    assert dict(rows[1]["metadata"])["records"] == "2" and dict(rows[1]["metadata"])["skipped.warcinfo"] == "1"
    missing = list(file_rows((tmp_path / "gone.warc").as_uri(), WebConfig()))
    assert [(r["reason"], r["position"]) for r in missing] == [(S.UNREADABLE_FILE, -1), (S.WEB_FILE_COUNTS, -1)]
    assert "FileNotFoundError" in missing[0]["error"] and dict(missing[1]["metadata"]) == {"records": "0",
                                                                                           "unreadable": "1"}
    batches = list(arrow_batches([path.as_uri(), (tmp_path / "gone.warc").as_uri()], WebConfig()))
    assert sum(b.num_rows for b in batches) == 4


def test_formats_package_globs_and_settings():
    assert detect_format("CC-MAIN-1.warc.gz") == ("warc", "gz") and detect_format("x.warc") == ("warc", None)
    assert detect_format("CC-MAIN-1.warc.wet.gz") == ("wet", "gz") and detect_format("x.wet") == ("wet", None)
    assert detect_format("CC-MAIN-1.warc.wat.gz") == (None, None)
    assert detect_format("crawl.gz", "warc") == ("warc", "gz")
    assert resolve_path("package://web_sample/sample-*.gz").endswith("native_align/data/web_sample/sample-*.gz")
    with pytest.raises(IngestError, match="no packaged data folder"):
        resolve_path("package://nothing/*.gz")
    s = build_settings({"ingest": {"web": {"extractor": "trafilatura"}, "sources": [
        {"name": "cc", "path": "/x", "format": "wet"}]}})
    assert isinstance(s.ingest.web, WebConfig) and s.ingest.web.extractor == "trafilatura"
    with pytest.raises(ConfigError, match="ingest.web.extracter"):
        build_settings({"ingest": {"web": {"extracter": "trafilatura"}}})


def test_the_blocklist_file_is_read_on_the_driver():
    cfg = WebConfig(url_filter=UrlFilterConfig(blocklist=["a.example"],
                                               blocklist_file="package://web_sample/url_blocklist.txt"))
    inline = with_inline_blocklist(cfg)
    assert inline.url_filter.blocklist_file is None
    assert inline.url_filter.blocklist == ["a.example", "casino-jackpot.example", "free-bets-arab.example"]
    assert with_inline_blocklist(WebConfig()) == WebConfig()


def test_samples_are_overrides_the_user_can_still_override():
    web = load_settings("local", None, sample_overrides("web") + ["tables.root=/elsewhere"])
    assert [s.path for s in web.ingest.sources] == ["package://web_sample/sample-*.gz"]
    assert web.ingest.web.url_filter.blocklist_file == "package://web_sample/url_blocklist.txt"
    assert web.tables.root == "/elsewhere" and web.report.output_dir == "work/web/report"
    news, local = load_settings("local", None, sample_overrides("news")), load_settings("local")
    assert news.ingest == local.ingest and news.tables == local.tables
    assert set(SAMPLES) == {"news", "web"}
    with pytest.raises(KeyError, match="samples: news, web"):
        sample_overrides("forum")


def test_run_parses_the_sample_option():
    from native_align.cli import build_parser

    ns = build_parser().parse_args(["run", "--sample", "web", "--set", "x.y=1"])
    assert ns.sample == "web" and ns.overrides == ["x.y=1"]
    assert build_parser().parse_args(["run"]).sample is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--sample", "forum"])
