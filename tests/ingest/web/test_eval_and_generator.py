"""The test-data generator is deterministic and its truth agrees with the reader; ``eval web`` runs on the sample."""

from __future__ import annotations

import json

from native_align.evaluation import web as ev
from native_align.ingest.web.config import UrlFilterConfig, WebConfig
from native_align.ingest.web.process import conserved, process_warc_stream

from .test_process import BLOCKLIST, SAMPLE


def test_generator_is_deterministic_and_truthful(tmp_path):
    gen = ev.load_generator()
    arts = gen.load_articles(gen.OWN_ARTICLES)
    a, b = tmp_path / "a", tmp_path / "b"
    counts = gen.generate(arts, a, 30, 5, per_file=15, cover=True)
    gen.generate(arts, b, 30, 5, per_file=15, cover=True)
    names = sorted(p.name for p in a.iterdir())
    assert names == ["truth.jsonl", "web-00000.warc.gz", "web-00000.warc.wet.gz", "web-00001.warc.gz",
                     "web-00001.warc.wet.gz"]
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in names)
    assert counts["quarantine:truncated_record"] == 1 and counts["quarantine:undecodable"] >= 1
    truth = [json.loads(line) for line in open(a / "truth.jsonl", encoding="utf-8")]
    cfg = WebConfig(url_filter=UrlFilterConfig(blocklist_file=BLOCKLIST))
    for name in names[1:]:
        with open(a / name, "rb") as fh:
            c = list(process_warc_stream(fh, name, cfg))[-1]
        assert conserved(c) and c.records == sum(t["file"] == name for t in truth)
        want = sum(t["outcome"].startswith("skipped") for t in truth if t["file"] == name)
        assert sum(c.skipped.values()) == want


def test_f1_and_leak():
    f1, leak = ev.f1_leak("نص الخبر كاملا", "نص الخبر كاملا", "عنوان", "القائمة الرئيسية")
    assert (f1, leak) == (1.0, 0.0)
    f1, leak = ev.f1_leak("نص الخبر القائمة الرئيسية", "نص الخبر", "عنوان", "القائمة الرئيسية نص")
    assert abs(f1 - 2 * 0.5 * 1 / 1.5) < 1e-9 and leak == 0.5  # "نص" is in the article: not a leak


def test_eval_on_the_packaged_sample(capsys, tmp_path):
    out = tmp_path / "web.json"
    assert ev.main(["--data", str(SAMPLE), "--detectors", "cchardet,none", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "conservation" in printed and "OK" in printed and "resiliparse" in printed and "trafilatura" in printed
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["goals"] == {"extraction": True, "encoding": True, "conservation": True}
    assert figures["encoding"]["iso8859_6_meta"]["cchardet"] == [1, 1]
    assert figures["extraction"]["resiliparse"]["f1"] >= 0.9
