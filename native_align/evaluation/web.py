"""``native-align eval web``: the web input against pages whose content is known.

Pages come from ``scripts/make_web_sample.py`` (SaudiNewsNet articles in four site templates when ../shared/data
is there; otherwise the packaged sample of self-written articles), with a ground truth per record. Prints:

- extraction, per extractor: bag-of-words F1 of the main text against the article (normalized words), the share of
  extracted words that occur only in the template's nav/footer/comments/cookie/ads blocks (leak), title accuracy;
- encoding, per case and detector: pages decoded to exactly the right text; undecodable pages quarantined;
- outcomes: every record's outcome (document / quarantine reason / skipped type / URL rule) against the truth,
  and conservation per file (records = documents + quarantine + skipped + url_filtered);
- WET: conversion records whose text is kept exactly.

Exit 0 when the defaults meet the goals (F1 >= 0.90, leak <= 5%, every windows-1256 / ISO-8859-6 page exact,
every undecodable page quarantined, conservation everywhere), 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from native_align.evaluation.data import shared_data_dir
from native_align.ingest.web.config import UrlFilterConfig, WebConfig
from native_align.ingest.web.encoding import decode_html, make_detector, normalize_label
from native_align.ingest.web.extract import extract
from native_align.ingest.web.process import WebFileCounts, conserved, process_warc_stream
from native_align.ingest.web.warc import WarcRecord, iter_records
from native_align.text.normalize import normalize_for_matching, words

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "scripts" / "make_web_sample.py"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "web_sample"
BLOCKLIST = "package://web_sample/url_blocklist.txt"
GOALS = {"f1": 0.90, "leak": 0.05}
LEGACY_CASES = ("cp1256", "iso8859_6", "mis_utf8_is_cp1256", "mis_latin1_is_cp1256", "mis_utf8_is_iso8859_6")


def load_generator():
    """scripts/make_web_sample.py as a module (a repository checkout has it; an installed package does not)."""
    if not GENERATOR.exists():
        return None
    spec = importlib.util.spec_from_file_location("make_web_sample", GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def bag(text: str | None) -> Counter:
    return Counter(words(normalize_for_matching(text or "")))


def f1_leak(got: str | None, article: str, title: str, boilerplate: str) -> tuple[float, float]:
    """Word-bag F1 of ``got`` against ``article``; leak = share of ``got``'s words found only in the template."""
    g, e = bag(got), bag(article)
    inter = sum((g & e).values())
    n_got, n_exp = sum(g.values()), sum(e.values())
    p, r = inter / max(1, n_got), inter / max(1, n_exp)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    only_template = set(bag(boilerplate)) - set(e) - set(bag(title))
    leak = sum(v for w, v in g.items() if w in only_template) / max(1, n_got)
    return f1, leak


def _same_title(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def load_truth(folder: Path) -> dict[tuple[str, int], dict]:
    with open(folder / "truth.jsonl", encoding="utf-8") as fh:
        return {(r["file"], r["position"]): r for r in map(json.loads, fh)}


def html_pages(folder: Path, truth: dict) -> list[tuple[WarcRecord, dict]]:
    """Every 200 text/html response of the WARCs with its truth row."""
    out = []
    for path in sorted(folder.glob("*.warc.gz")):
        if ".wet." in path.name:
            continue
        with open(path, "rb") as fh:
            for rec in iter_records(fh, path.name):
                if isinstance(rec, WarcRecord) and rec.content_type == "text/html" and rec.http_status == 200:
                    out.append((rec, truth[(path.name, rec.position)]))
    return out


def eval_encoding(pages: list, detectors: list[str]) -> tuple[dict, bool]:
    """Per case and detector: (right, total). Right = exactly the expected text, or quarantined if undecodable."""
    table: dict = defaultdict(dict)
    for det in detectors:
        fn = make_detector(det)
        per: dict = defaultdict(lambda: [0, 0])
        for rec, t in pages:
            if not (t.get("html_sha1") or t["outcome"] == "quarantine:undecodable"):
                continue
            dec = decode_html(rec.payload, rec.declared_charset, detector=fn)
            if t["outcome"] == "quarantine:undecodable":
                ok = dec.text is None and bool(dec.reason)
            else:
                ok = dec.text is not None and hashlib.sha1(dec.text.encode("utf-8")).hexdigest() == t["html_sha1"]
            per[t["case"]][0] += ok
            per[t["case"]][1] += 1
        for case, v in per.items():
            table[case][det] = tuple(v)
    default = WebConfig().charset_detector
    must = [c for c in table if c == "undecodable" or any(c.startswith(p) for p in LEGACY_CASES)]
    ok = all(table[c][default][0] == table[c][default][1] for c in must if default in table[c])
    return table, ok


def eval_detectors(texts: list[str], detectors: list[str], lengths=(30, 100, 400)) -> dict:
    """Detector alone on the start of article texts encoded in each Arabic code page: share decoded exactly.
    Short texts are where detectors differ (a page's markup is mostly ASCII; its Arabic may be one headline)."""
    out: dict = {}
    for name in detectors:
        fn = make_detector(name)
        if fn is None:
            continue
        for codec in ("cp1256", "iso8859-6"):
            for n in lengths:
                right = 0
                for text in texts:
                    data = text[:n].encode(codec, "xmlcharrefreplace")
                    guess = normalize_label(fn(data))
                    right += guess is not None and data.decode(guess, "replace") == data.decode(codec)
                out[(name, codec, n)] = right / max(1, len(texts))
    return out


def snippet_texts(limit: int = 300) -> list[str]:
    """Article texts of >= 400 characters (SaudiNewsNet when present, else the self-written articles)."""
    gen = load_generator()
    if gen is None:
        return []
    corpus = shared_data_dir() / "corpus" / "saudinewsnet.jsonl.gz"
    arts = gen.load_articles(corpus if corpus.exists() else gen.OWN_ARTICLES)
    return [a["content"] for a in arts if len(a["content"]) >= 400][:limit]


def eval_extraction(pages: list, extractors: list[str], cfg: WebConfig) -> dict:
    """Per extractor: mean F1, mean leak, title accuracy, pages/s, and per-template F1/leak."""
    docs, detector = [], make_detector(cfg.charset_detector)
    for rec, t in pages:
        if t["outcome"] == "document":
            dec = decode_html(rec.payload, rec.declared_charset, detector=detector)
            if dec.text is not None:
                docs.append((dec.text, t))
    out = {}
    for name in extractors:
        f1s, leaks, titles = [], [], 0
        by_template: dict = defaultdict(lambda: ([], []))
        t0 = time.perf_counter()
        results = [extract(html, name, cfg.min_text_chars, cfg.edge_min_words) for html, _ in docs]
        elapsed = time.perf_counter() - t0
        for ext, (_, t) in zip(results, docs):
            f1, leak = f1_leak(ext.text, t["text"], t["title"], t["boilerplate"])
            f1s.append(f1)
            leaks.append(leak)
            titles += _same_title(ext.title, t["title"])
            by_template[t["template"]][0].append(f1)
            by_template[t["template"]][1].append(leak)
        n = max(1, len(docs))
        out[name] = {"pages": len(docs), "f1": sum(f1s) / n, "leak": sum(leaks) / n, "title_acc": titles / n,
                     "pages_per_s": len(docs) / max(elapsed, 1e-9),
                     "templates": {k: (sum(a) / len(a), sum(b) / len(b)) for k, (a, b) in by_template.items()}}
    return out


def eval_outcomes(folder: Path, truth: dict, cfg: WebConfig) -> dict:
    """Run the real per-file processing and compare every outcome with the truth."""
    confusion: Counter = Counter()
    files, all_conserved, counts_match, wet_exact, wet_total = 0, True, True, 0, 0
    for path in sorted(folder.glob("*.gz")):
        with open(path, "rb") as fh:
            outs = list(process_warc_stream(fh, path.name, cfg))
        counts: WebFileCounts = outs[-1]
        files += 1
        n_truth = sum(1 for key in truth if key[0] == path.name)
        all_conserved &= conserved(counts) and counts.records == n_truth
        got = Counter({"document": counts.documents, **{f"quarantine:{k}": v for k, v in counts.quarantined.items()},
                       **{f"skipped:{k}": v for k, v in counts.skipped.items()},
                       **{f"url_filtered:{k}": v for k, v in counts.url_filtered.items()}})
        want = Counter(t["outcome"] for key, t in truth.items() if key[0] == path.name)
        seen = set()
        for o in outs[:-1]:
            t = truth[(path.name, o.position)]
            label = "document" if o.outcome == "document" else f"quarantine:{o.reason}"
            confusion[(t["outcome"], label)] += 1
            seen.add(o.position)
            if t["record_type"] == "conversion" and label == "document":
                wet_total += 1
                wet_exact += o.text == t["text"]
        for key, t in truth.items():  # records with no row: skipped or URL-filtered; their totals are checked below
            if key[0] == path.name and key[1] not in seen and not t["outcome"].startswith(("skipped", "url_")):
                confusion[(t["outcome"], "(no row)")] += 1
        counts_match &= +got == +want
        all_conserved &= counts.records == sum(got.values())
    rows = sum(v for (w, g), v in confusion.items())
    right = sum(v for (w, g), v in confusion.items() if w == g)
    return {"files": files, "conserved": all_conserved, "counts_match": counts_match, "rows": rows, "right": right,
            "wrong": {f"{w} -> {g}": v for (w, g), v in confusion.items() if w != g},
            "wet_exact": wet_exact, "wet_total": wet_total}


def prepare(args) -> tuple[Path, str]:
    """The folder of WARCs + truth.jsonl to evaluate, and a line saying where it came from."""
    if args.data:
        return Path(args.data), f"given folder {args.data}"
    gen = load_generator()
    corpus = shared_data_dir() / "corpus" / "saudinewsnet.jsonl.gz"
    if gen is None or not corpus.exists():
        why = "no scripts/make_web_sample.py" if gen is None else f"{corpus} absent"
        return SAMPLE, f"packaged sample {SAMPLE} ({why})"
    out = Path(tempfile.mkdtemp(prefix="eval-web-"))
    counts = gen.generate(gen.load_articles(corpus), out, args.n, args.seed)
    return out, f"generated {args.n} SaudiNewsNet pages (seed {args.seed}) in {out}: {sum(counts.values())} records"


def report_detectors(det: dict) -> None:
    if not det:
        return
    print("\n== detectors alone on the first N characters of articles (share decoded exactly)")
    for (name, codec, n), share in sorted(det.items()):
        print(f"  {name:<20}{codec:<11}{n:>5} chars {share:>8.1%}")


def report(ext: dict, enc: dict, outcomes: dict, chosen: str) -> None:
    print("\n== extraction (main text vs the article; leak = words only in template blocks)")
    print(f"{'extractor':<13}{'pages':>6}{'F1':>8}{'leak':>8}{'title':>8}{'pages/s':>9}")
    for name, r in ext.items():
        mark = " <- default" if name == chosen else ""
        print(f"{name:<13}{r['pages']:>6}{r['f1']:>8.4f}{r['leak']:>8.2%}{r['title_acc']:>8.1%}"
              f"{r['pages_per_s']:>9.0f}{mark}")
        for tpl, (f1, leak) in sorted(r["templates"].items()):
            print(f"  {tpl:<11}{'':>6}{f1:>8.4f}{leak:>8.2%}")
    dets = sorted({d for v in enc.values() for d in v})
    print("\n== encoding (pages decoded to exactly the right text; undecodable: quarantined with a reason)")
    print(f"{'case':<24}" + "".join(f"{d:>20}" for d in dets))
    for case in sorted(enc):
        print(f"{case:<24}" + "".join(f"{'%d/%d' % enc[case][d]:>20}" if d in enc[case] else f"{'-':>20}"
                                      for d in dets))
    print("\n== outcomes against the truth (rows: documents + quarantine)")
    print(f"files {outcomes['files']}, rows {outcomes['rows']}, right {outcomes['right']} "
          f"({outcomes['right'] / max(1, outcomes['rows']):.2%}); per-file outcome counts equal the truth: "
          f"{outcomes['counts_match']}")
    for k, v in sorted(outcomes["wrong"].items()):
        print(f"  {k}: {v}")
    print(f"conservation (records = documents + quarantine + skipped + url_filtered, records = truth): "
          f"{'OK' if outcomes['conserved'] else 'BROKEN'}")
    print(f"WET conversion texts kept exactly: {outcomes['wet_exact']}/{outcomes['wet_total']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="native-align eval web", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="folder with WARC/WET files and truth.jsonl (default: generate)")
    ap.add_argument("--n", type=int, default=300, help="pages to generate from SaudiNewsNet")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--extractors", default="resiliparse,trafilatura")
    ap.add_argument("--detectors", default="cchardet,charset-normalizer,none")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the generated WARCs (default: deleted at the end)")
    args = ap.parse_args(argv)
    folder, origin = prepare(args)
    print(f"eval web: {origin}")
    try:
        return _evaluate(folder, origin, args)
    finally:
        if folder.name.startswith("eval-web-") and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def _evaluate(folder: Path, origin: str, args) -> int:
    truth = load_truth(folder)
    cfg = WebConfig(url_filter=UrlFilterConfig(blocklist_file=BLOCKLIST))
    pages = html_pages(folder, truth)
    ext = eval_extraction(pages, args.extractors.split(","), cfg)
    enc, enc_ok = eval_encoding(pages, args.detectors.split(","))
    outcomes = eval_outcomes(folder, truth, cfg)
    texts = snippet_texts()
    det = eval_detectors(texts, args.detectors.split(",")) if texts else {}
    report(ext, enc, outcomes, cfg.extractor)
    report_detectors(det)
    if texts:
        print(f"  ({len(texts)} texts)")
    chosen = ext.get(cfg.extractor)
    goals = {"extraction": chosen is None or (chosen["f1"] >= GOALS["f1"] and chosen["leak"] <= GOALS["leak"]),
             "encoding": enc_ok, "conservation": outcomes["conserved"]}
    print("\ngoals: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in goals.items()))
    if args.json:
        Path(args.json).write_text(json.dumps({"origin": origin, "extraction": ext, "encoding": {
            c: {d: list(v) for d, v in per.items()} for c, per in enc.items()}, "outcomes": outcomes,
            "detectors": {"/".join(map(str, k)): v for k, v in det.items()},
            "goals": goals}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
