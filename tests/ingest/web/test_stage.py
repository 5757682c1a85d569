"""WARC/WET sources through the real ingest stage (Spark local mode + Delta): one task per file, lineage in
`documents`, quarantine rows, skipped / URL-filtered counts, the per-file conservation check, stable doc_ids."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from native_align.context import Context
from native_align.ingest import schema as S
from native_align.ingest.stage import run
from native_align.ingest.web.config import UrlFilterConfig, WebConfig
from native_align.ingest.web.process import WebDocument, WebQuarantine, process_warc_stream
from native_align.ingest.web_conservation import WebConservationError, web_totals
from native_align.settings import build_settings

from .conftest import ARTICLE, TITLE, news_page

SAMPLE = Path(__file__).resolve().parents[3] / "native_align" / "data" / "web_sample"
BLOCKLIST = "package://web_sample/url_blocklist.txt"


def _ctx(spark, tmp_path, sources, **ingest):
    settings = build_settings({
        "tables": {"root": str(tmp_path / "tables"), "staging_root": str(tmp_path / "staging")},
        "ingest": {"sources": sources, **ingest}})
    return Context.create(settings, spark=spark)


def _doc_id(source: str, rel: str, record_id: str) -> str:
    return hashlib.sha256("\u001f".join([source, rel, f"id:{record_id}"]).encode()).hexdigest()[:32]


def test_packaged_sample_matches_the_reader_and_reruns_add_nothing(spark, tmp_path):
    ctx = _ctx(spark, tmp_path, [{"name": "web", "path": "package://web_sample/sample-*.gz"}],
               web={"url_filter": {"blocklist_file": BLOCKLIST}})
    counts = run(ctx)
    docs, quar = ctx.tables.read("documents"), ctx.tables.read("quarantine")

    # What the reader yields in this process, file by file, is exactly what the Spark tasks wrote.
    cfg = WebConfig(url_filter=UrlFilterConfig(blocklist_file=BLOCKLIST))
    want_docs, want_quar, want = {}, set(), {"records": 0, "skipped": {}, "url_filtered": {}}
    for f in sorted(SAMPLE.glob("sample-*.gz")):
        with open(f, "rb") as fh:
            for out in process_warc_stream(fh, f.name, cfg):
                if isinstance(out, WebDocument):
                    want_docs[_doc_id("web", f.name, out.record_id)] = out
                elif isinstance(out, WebQuarantine):
                    want_quar.add((f.name, out.position, out.reason))
                else:
                    want["records"] += out.records
                    for key in ("skipped", "url_filtered"):
                        for k, v in getattr(out, key).items():
                            want[key][k] = want[key].get(k, 0) + v
    truth = [json.loads(line) for line in open(SAMPLE / "truth.jsonl", encoding="utf-8")]
    assert want["records"] == len(truth) == counts["web_records"] == 47
    rows = {r["doc_id"]: r for r in docs.collect()}
    assert set(rows) == set(want_docs)
    assert {(q["source_file"], q["position"], q["reason"]) for q in quar.collect()} == want_quar
    assert {k[len("web_skipped."):]: v for k, v in counts.items() if k.startswith("web_skipped.")} == want["skipped"]
    assert {k[len("web_url_filtered."):]: v for k, v in counts.items()
            if k.startswith("web_url_filtered.")} == want["url_filtered"] == {"domain": 1, "banned_word": 1,
                                                                              "soft_words": 1}
    # Conservation, and the pipeline's "ingested" counts only documents + quarantine.
    assert counts["web_records"] == (counts["web_documents"] + counts["web_quarantined"] + counts["web_skipped"]
                                     + counts["web_url_filtered"])
    assert counts["records_seen"] == len(rows) + len(want_quar) == counts["web_documents"] + counts["web_quarantined"]
    assert (counts["web_files"], counts["documents_added"], counts["quarantined_added"]) == (2, len(rows),
                                                                                           len(want_quar))

    # Lineage: file, record, URL, fetch date, HTTP status, content type, charset.
    some = next(d for d in rows.values() if d["source_file"] == "sample-00000.warc.gz")
    src_doc = want_docs[some["doc_id"]]
    assert (some["record_index"], some["source_record_id"], some["url"], some["date"], some["title"], some["text"]) \
        == (src_doc.position, src_doc.record_id, src_doc.url, src_doc.fetch_date, src_doc.title, src_doc.text)
    assert some["metadata"] == {"warc_record_type": "response", "http_status": str(src_doc.http_status),
                                "content_type": src_doc.content_type, "charset": src_doc.charset,
                                "charset_source": src_doc.charset_source}
    wet = next(d for d in rows.values() if d["source_file"].endswith(".wet.gz"))
    assert wet["metadata"]["warc_record_type"] == "conversion" and wet["metadata"]["charset_source"] == "wet"

    again = run(ctx.new_run())
    assert (again["documents_added"], again["quarantined_added"]) == (0, 0)
    assert again["files_read"] == 0 and "web_records" not in again  # every file is in the ledger: none read again
    assert {r["doc_id"] for r in ctx.tables.read("documents").select("doc_id").collect()} == set(rows)


def test_mixed_folder_plain_warc_cut_short_wet_and_jsonl(spark, tmp_path, warc):
    corpus = tmp_path / "crawl"
    (corpus / "2024").mkdir(parents=True)
    b = warc(gz=False)
    b.warcinfo()
    b.request("https://news.example/a")
    good = b.response("https://news.example/a", news_page("windows-1256").encode("cp1256"), ctype="text/html")
    b.response("https://news.example/missing", news_page().encode(), status="404 Not Found")
    b.response("https://news.example/logo.png", b"\x89PNG" + bytes(64), ctype="image/png")
    b.response("https://casino-jackpot.example/win", news_page().encode())
    b.response("https://news.example/bad", random.Random(7).randbytes(3000), ctype="text/html")
    big = b.response("https://news.example/long", news_page(body=f"<p>{ARTICLE}</p>" * 40).encode())
    b.response("https://news.example/cut", news_page().encode())
    (corpus / "2024" / "crawl-1.warc").write_bytes(b.bytes(cut_last=0.6))
    w = warc(gz=True)
    w.warcinfo()
    conv = w.conversion("https://news.example/a", f"{TITLE}\n{ARTICLE}")
    (corpus / "2024" / "crawl-1.warc.wet.gz").write_bytes(w.bytes())
    (corpus / "notes.jsonl").write_text(json.dumps({"id": "n1", "text": ARTICLE}, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    ctx = _ctx(spark, tmp_path, [{"name": "crawl", "path": str(corpus), "id_field": "id"}], max_text_bytes=4000,
               web={"url_filter": {"blocklist": ["casino-jackpot.example"]}})
    counts = run(ctx)

    assert counts["web_skipped.warcinfo"] == 2 and counts["web_skipped.request"] == 1
    assert (counts["web_skipped.http_status"], counts["web_skipped.non_html"], counts["web_url_filtered.domain"]) \
        == (1, 1, 1)
    assert counts["web_records"] == 9 + 2 and counts["web_files"] == 2
    quar = {q["position"]: q for q in ctx.tables.read("quarantine").collect()}
    assert {p: q["reason"] for p, q in quar.items()} == {6: "undecodable", 7: S.TEXT_TOO_LARGE,
                                                         8: "truncated_record"}
    assert quar[7]["error"].endswith("max_text_bytes 4000") and quar[6]["raw_excerpt"]
    assert quar[8]["record_key"] == "crawl|2024/crawl-1.warc|8"
    docs = {d["source_file"]: d for d in ctx.tables.read("documents").collect()}
    assert set(docs) == {"2024/crawl-1.warc", "2024/crawl-1.warc.wet.gz", "notes.jsonl"}
    page = docs["2024/crawl-1.warc"]
    assert page["doc_id"] == _doc_id("crawl", "2024/crawl-1.warc", good) and page["title"] == TITLE
    assert page["metadata"]["charset"] == "cp1256" and page["date"] == "2024-03-01T10:00:00Z"
    assert docs["2024/crawl-1.warc.wet.gz"]["source_record_id"] == conv
    assert docs["notes.jsonl"]["source_record_id"] == "n1" and docs["notes.jsonl"]["metadata"] == {}
    assert counts["web_documents"] == 2 and counts["web_quarantined"] == 3 and counts["records_seen"] == 6
    assert big not in {d["source_record_id"] for d in docs.values()}


def _records(spark, rows):
    """Staged RECORDS rows from (file, position, record id, text, metadata, reason)."""
    data = [("s", f, p, rid, None, None, None, text, None, meta, reason, None, None, f"s|{f}|{p}", f"{f}{p}")
            for f, p, rid, text, meta, reason in rows]
    return spark.createDataFrame(data, S.RECORDS_SCHEMA)


def test_conservation_check_catches_a_lost_record(spark):
    counts = {"records": "3", "documents": "1", "quarantined": "0", "skipped": "1", "url_filtered": "0",
              "skipped.warcinfo": "1"}
    whole = [("a.warc", 1, "<r1>", "نص", {}, None), ("a.warc", 2, "<r2>", None, {}, "undecodable"),
             ("a.warc", -1, None, None, counts, S.WEB_FILE_COUNTS), ("b.jsonl", 0, None, "نص", {}, None)]
    ok = web_totals(_records(spark, whole))
    assert ok.ok and (ok.records, ok.documents, ok.quarantined, ok.skipped) == (3, 1, 1, {"warcinfo": 1})
    lost = web_totals(_records(spark, [whole[0], whole[2], whole[3]]))
    assert not lost.ok and lost.mismatched[0].startswith("a.warc: records 3 != documents 1 + quarantined 0")
    with pytest.raises(WebConservationError, match="MISMATCH"):
        lost.check()
