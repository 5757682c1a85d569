"""Every format through the real readers: nothing is dropped, every bad record gets its named reason."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import functions as F

from native_align.settings import build_settings
from native_align.ingest import schema as S
from native_align.ingest.stage import read_source
from tests.ingest.conftest import rec


def _settings(path, **ingest):
    src = {"name": "t", "path": str(path), "id_field": "id", "url_field": "url", "extra_fields": ["lang"]}
    return build_settings({"ingest": {"sources": [src], **ingest}}).ingest


def test_jsonl_every_bad_line_is_kept_with_its_reason(spark, tmp_path, write_jsonl):
    lines = [
        rec(0, url="u0", lang="ar"),                 # 0 ok
        '{"id": "d1", "text": "مقطوع',               # 1 invalid_json
        "",                                          # 2 blank line: not a record
        '{"id": "d3", "title": "x"}',                # 3 missing_text
        '{"id": "d4", "text": null}',                # 4 missing_text
        '{"id": "d5", "text": "  \\n "}',            # 5 empty_text
        '{"id": "d6", "text": 42}',                  # 6 non_string_text
        '[1, 2]',                                    # 7 not_an_object
        b'{"id": "d8", "text": "\xff\xfe"}',         # 8 invalid_utf8
        rec(9, text="و" * 60),                       # 9 text_too_large (120 bytes > 100)
        rec(0, text="معرف مكرر"),                    # 10 duplicate_record_id
        '{"id": "d11", "text": "a", "id": "d12"}',   # 11 invalid_json (duplicate key)
        rec(12, lang=7),                             # 12 ok, metadata value as JSON text
    ]
    write_jsonl(tmp_path / "c" / "a.jsonl", lines)
    cfg = _settings(tmp_path / "c", max_text_bytes=100, excerpt_chars=10)
    rows = {r["position"]: r for r in read_source(spark, cfg.sources[0], cfg).collect()}

    assert sorted(rows) == list(range(13))
    reasons = {p: r["reason"] for p, r in rows.items()}
    assert reasons == {0: None, 1: S.INVALID_JSON, 2: S.BLANK_LINE, 3: S.MISSING_TEXT, 4: S.MISSING_TEXT,
                       5: S.EMPTY_TEXT, 6: S.NON_STRING_TEXT, 7: S.NOT_AN_OBJECT, 8: S.INVALID_UTF8,
                       9: S.TEXT_TOO_LARGE, 10: S.DUPLICATE_RECORD_ID, 11: S.INVALID_JSON, 12: None}
    good = rows[0]
    assert (good["record_id"], good["url"], good["metadata"], good["raw"]) == ("d0", "u0", {"lang": "ar"}, None)
    assert rows[12]["metadata"] == {"lang": "7"}
    assert "BIGINT" in rows[6]["error"] and "text" in rows[6]["error"]
    assert "120" in rows[9]["error"]
    assert len(rows[6]["raw"]) == 10  # bounded excerpt
    assert rows[1]["raw"] == lines[1]  # invalid JSON kept whole until the quarantine computes its message
    assert {r["source_file"] for r in rows.values()} == {"a.jsonl"}
    assert rows[3]["record_key"] == "t|a.jsonl|3"


def test_gz_and_zst_match_plain_and_broken_zst_is_unreadable(spark, tmp_path, write_jsonl):
    lines = [rec(i) for i in range(5)] + ["nope"]
    write_jsonl(tmp_path / "c" / "p.jsonl", lines)
    write_jsonl(tmp_path / "c" / "g.jsonl.gz", lines, compress="gz")
    write_jsonl(tmp_path / "c" / "z.jsonl.zst", lines, compress="zst")
    (tmp_path / "c" / "bad.jsonl.zst").write_bytes(b"not zstd at all")
    cfg = _settings(tmp_path / "c")
    df = read_source(spark, cfg.sources[0], cfg)
    got = {}
    for r in df.collect():
        got.setdefault(r["source_file"], []).append((r["position"], r["record_id"], r["reason"]))
    expected = [(i, f"d{i}", None) for i in range(5)] + [(5, None, S.INVALID_JSON)]
    for name in ("p.jsonl", "g.jsonl.gz", "z.jsonl.zst"):
        assert sorted(got[name]) == expected, name
    assert got["bad.jsonl.zst"] == [(-1, None, S.UNREADABLE_FILE)]


def test_positions_are_line_numbers_when_spark_splits_a_file(spark, tmp_path, write_jsonl):
    n = 400
    write_jsonl(tmp_path / "c" / "big.jsonl", [rec(i, text=f"سطر رقم {i} " * 5) for i in range(n)])
    cfg = _settings(tmp_path / "c")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        df = read_source(spark, cfg.sources[0], cfg)
        rows = df.select("position", "record_id").collect()
        parts = spark.read.text(str(tmp_path / "c" / "big.jsonl")).rdd.getNumPartitions()
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert parts > 5  # the file really was split
    assert sorted((r["position"], r["record_id"]) for r in rows) == [(i, f"d{i}") for i in range(n)]


def test_csv_parquet_and_text_folders(spark, tmp_path):
    root = tmp_path / "c"
    (root / "pages").mkdir(parents=True)
    (root / "f.csv").write_text('id,url,text,lang\n1,u1,"سطر أول\nسطر ثان",ar\n2,u2,,ar\n3,u3,a,b,c\n',
                                encoding="utf-8")
    pq.write_table(pa.table({"id": ["p0", "p1", "p2"], "text": ["نص", None, "نص آخر"], "lang": ["ar"] * 3}),
                   root / "t.parquet")
    pq.write_table(pa.table({"id": ["q0"], "text": [5], "lang": ["ar"]}), root / "n.parquet")
    (root / "pages" / "a.txt").write_text("صفحة كاملة\nبسطرين", encoding="utf-8")
    (root / "pages" / "empty.txt").write_bytes(b"")
    (root / "pages" / "old.txt").write_bytes("ترميز قديم".encode("cp1256"))
    (root / "README.md").write_text("not data")
    cfg = _settings(root)
    rows = {(r["source_file"], r["position"]): r for r in read_source(spark, cfg.sources[0], cfg).collect()}
    got = {k: (r["record_id"], r["text"], r["reason"]) for k, r in rows.items()}
    assert got == {
        ("f.csv", 0): ("1", "سطر أول\nسطر ثان", None),
        ("f.csv", 1): ("2", "", S.EMPTY_TEXT),
        ("f.csv", 2): ("3", "a", S.MALFORMED_CSV),
        ("t.parquet", 0): ("p0", "نص", None),
        ("t.parquet", 1): ("p1", None, S.MISSING_TEXT),
        ("t.parquet", 2): ("p2", "نص آخر", None),
        ("n.parquet", 0): ("q0", None, S.NON_STRING_TEXT),
        ("pages/a.txt", 0): (None, "صفحة كاملة\nبسطرين", None),
        ("pages/empty.txt", -1): (None, None, S.EMPTY_FILE),  # a 0-byte file of any format
        ("pages/old.txt", 0): (None, None, S.INVALID_UTF8),
        ("README.md", -1): (None, None, S.UNSUPPORTED_FILE),
    }
    assert rows[("f.csv", 0)]["metadata"] == {"lang": "ar"}
    assert rows[("f.csv", 2)]["raw"].startswith("3,u3,a,b,c")
    assert json.loads(rows[("n.parquet", 0)]["raw"])["text"] == 5
