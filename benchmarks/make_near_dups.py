"""A near-duplicate scaling corpus: SaudiNewsNet grown N times (default 10) by *edited* copies, deterministically,
with the derivation of every document kept as ground truth.

    python benchmarks/make_near_dups.py --out /tmp/snn_x10.jsonl.gz [--factor 10] [--seed 0] [--limit N]

Why: copying the corpus N times only tests exact dedup (copies never reach MinHash). Here every original gets
``factor - 1`` derivatives, each derived from the original or from an earlier derivative of the same family (so
chains exist), with edits at rates chosen so that the Jaccard of a derivative to its parent spreads over both
sides of the 0.8 threshold (the generator prints that distribution):

- 6 % exact copies (half byte-identical, half differing only by tatweel/harakat, which normalization folds);
- 64 % light edits: 1-3 operations;
- 30 % heavy edits: 4-9 operations (mostly below 0.8: related articles a dedup must *not* merge).

Operations: replace/insert/delete a few words in one sentence; delete a sentence; insert a sentence taken from
another article; add site boilerplate lines (a header and/or footer from one of 40 fixed "site" templates);
swap two paragraphs; drop the last paragraph. Record fields: ``id``, ``content`` (the text, as in SaudiNewsNet,
so ``evaluation.dedup.load_corpus`` reads both), ``source``, ``origin`` (the original's id), ``parent`` (the
document it was derived from; null for originals), ``ops`` (the operations applied). The exact Jaccard ground
truth over the whole file is computed by ``native_align.evaluation.dedup.ground_truth_pairs`` (the derivations
alone cannot give it: edits move pairs across the threshold, and SaudiNewsNet's own near-duplicates connect
families); ``benchmarks/bench_dedup.py --near-dups`` builds this file and uses both.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+")
HARAKAT = "\u064e\u064f\u0650\u0651\u0652\u064b"
SITE_WORDS = ("صحيفة", "جريدة", "موقع", "بوابة", "شبكة", "وكالة", "منصة", "نشرة")
SITE_NAMES = ("الرياض", "الوطن", "المدينة", "عكاظ", "اليوم", "الجزيرة", "سبق", "الشرق", "الحياة", "مكة")
BOILER_LINES = (
    "تابعونا على تويتر وفيسبوك وانستغرام للمزيد من الأخبار العاجلة",
    "جميع الحقوق محفوظة لـ {site} ولا يجوز النقل دون إذن مسبق",
    "اقرأ أيضا: أهم الأخبار المحلية والدولية على {site}",
    "شارك هذا الخبر مع أصدقائك عبر وسائل التواصل الاجتماعي",
    "لمتابعة آخر الأخبار اشترك في النشرة البريدية لـ {site}",
    "حمل تطبيق {site} على هاتفك الذكي الآن مجانا",
    "المصدر: {site} - قسم الأخبار المحلية",
    "الآراء الواردة في التعليقات تعبر عن أصحابها ولا تعبر عن رأي {site}",
)


def site_templates(n: int = 40) -> list[tuple[list[str], list[str]]]:
    """``n`` fixed (header lines, footer lines) pairs: the same "site" always adds the same lines."""
    rng = random.Random(1234)
    out = []
    for i in range(n):
        site = f"{SITE_WORDS[i % len(SITE_WORDS)]} {SITE_NAMES[(i * 7) % len(SITE_NAMES)]} {i}"
        lines = [line.format(site=site) for line in rng.sample(BOILER_LINES, 4)]
        out.append((lines[:rng.randint(0, 2)], lines[2:]))
    return out


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def sentences(par: str) -> list[str]:
    return [s for s in SENTENCE_END.split(par) if s.strip()]


def edit_sentence(text: str, rng: random.Random, vocab: list[str]) -> tuple[str, str]:
    """Replace, insert or delete 1-4 words in one sentence."""
    pars = paragraphs(text)
    if not pars:
        return text, "noop"
    p = rng.randrange(len(pars))
    sents = sentences(pars[p])
    if not sents:
        return text, "noop"
    s = rng.randrange(len(sents))
    toks = sents[s].split()
    kind = rng.choice(("replace", "insert", "delete"))
    for _ in range(rng.randint(1, 4)):
        if kind == "insert" or not toks:
            toks.insert(rng.randint(0, len(toks)), rng.choice(vocab))
        elif kind == "replace":
            toks[rng.randrange(len(toks))] = rng.choice(vocab)
        elif len(toks) > 1:
            del toks[rng.randrange(len(toks))]
    sents[s] = " ".join(toks)
    pars[p] = " ".join(sents)
    return "\n".join(pars), f"words_{kind}"


def delete_sentence(text: str, rng: random.Random) -> tuple[str, str]:
    pars = paragraphs(text)
    cands = [(i, sentences(p)) for i, p in enumerate(pars)]
    cands = [(i, s) for i, s in cands if len(s) > 1] or [(i, s) for i, s in cands if s]
    if sum(len(s) for _, s in cands) < 2:
        return text, "noop"
    i, sents = rng.choice(cands)
    del sents[rng.randrange(len(sents))]
    if sents:
        pars[i] = " ".join(sents)
    else:
        del pars[i]
    return "\n".join(pars), "sentence_delete"


def insert_sentence(text: str, rng: random.Random, pool: list[str]) -> tuple[str, str]:
    pars = paragraphs(text) or [""]
    i = rng.randrange(len(pars))
    sents = sentences(pars[i])
    sents.insert(rng.randint(0, len(sents)), rng.choice(pool))
    pars[i] = " ".join(sents)
    return "\n".join(pars), "sentence_insert"


def add_boilerplate(text: str, rng: random.Random, sites: list) -> tuple[str, str]:
    header, footer = sites[rng.randrange(len(sites))]
    return "\n".join([*header, text, *footer]), "boilerplate"


def swap_paragraphs(text: str, rng: random.Random) -> tuple[str, str]:
    pars = paragraphs(text)
    if len(pars) < 2:
        return text, "noop"
    i, j = rng.sample(range(len(pars)), 2)
    pars[i], pars[j] = pars[j], pars[i]
    return "\n".join(pars), "paragraph_swap"


def drop_last_paragraph(text: str, rng: random.Random) -> tuple[str, str]:
    pars = paragraphs(text)
    if len(pars) < 3:
        return text, "noop"
    return "\n".join(pars[:-1]), "paragraph_drop"


def spelling_variant(text: str, rng: random.Random) -> str:
    """Tatweel and harakat sprinkled on some words: a different string, the same normalized text."""
    toks = text.split(" ")
    for _ in range(max(1, len(toks) // 20)):
        k = rng.randrange(len(toks))
        w = toks[k]
        if len(w) > 2:
            toks[k] = w[:1] + ("\u0640" if rng.random() < 0.5 else rng.choice(HARAKAT)) + w[1:]
    return " ".join(toks)


def derive(text: str, rng: random.Random, vocab: list[str], pool: list[str], sites: list) -> tuple[str, list[str]]:
    """One derivative of ``text`` and the names of the operations applied."""
    r = rng.random()
    if r < 0.03:
        return text, ["exact_copy"]
    if r < 0.06:
        return spelling_variant(text, rng), ["spelling_variant"]
    n_ops = rng.randint(1, 3) if r < 0.70 else rng.randint(4, 9)
    ops = []
    for _ in range(n_ops):
        op = rng.choices(("edit", "delete", "insert", "boiler", "swap", "drop"), (40, 15, 15, 12, 12, 6))[0]
        if op == "edit":
            text, name = edit_sentence(text, rng, vocab)
        elif op == "delete":
            text, name = delete_sentence(text, rng)
        elif op == "insert":
            text, name = insert_sentence(text, rng, pool)
        elif op == "boiler":
            text, name = add_boilerplate(text, rng, sites)
        elif op == "swap":
            text, name = swap_paragraphs(text, rng)
        else:
            text, name = drop_last_paragraph(text, rng)
        ops.append(name)
    return text, ops


def read_originals(path: Path, limit: int | None) -> list[dict]:
    """Non-empty SaudiNewsNet articles with the ids the dedup evaluation gives them (``snn-<line>``)."""
    from native_align.evaluation.dedup import load_corpus

    c = load_corpus(path, limit)
    return [{"id": i, "content": t, "source": s} for i, t, s in zip(c.doc_ids, c.texts, c.sources)]


def generate(originals: list[dict], factor: int, seed: int):
    """Yield every record: each original, then its ``factor - 1`` derivatives (deterministic for a seed)."""
    rng = random.Random(seed)
    sample = rng.sample(originals, min(len(originals), 3000))
    vocab = sorted({w for d in sample for w in d["content"].split()[:200] if len(w) > 2})
    pool = [s for d in sample for p in paragraphs(d["content"]) for s in sentences(p) if len(s.split()) >= 6]
    sites = site_templates()
    for idx, orig in enumerate(originals):
        rng = random.Random(seed * 1_000_003 + idx)
        family = [orig]
        yield {**orig, "origin": orig["id"], "parent": None, "ops": []}
        for k in range(1, factor):
            parent = orig if rng.random() < 0.6 else rng.choice(family)
            text, ops = derive(parent["content"], rng, vocab, pool, sites)
            rec = {"id": f"{orig['id']}-v{k}", "content": text, "source": orig["source"], "origin": orig["id"],
                   "parent": parent["id"], "ops": ops}
            family.append(rec)
            yield rec


def parent_jaccards(records: list[dict], sample: int, seed: int) -> list[float]:
    """Exact Jaccard (word 5-grams, the ground truth's view) of a sample of derivatives to their parents."""
    sys.path.insert(0, str(REPO))
    from native_align.evaluation.dedup import shingle_ids

    by_id = {r["id"]: r for r in records}
    derived = [r for r in records if r["parent"]]
    out = []
    for r in random.Random(seed).sample(derived, min(sample, len(derived))):
        a, b = shingle_ids(r["content"]), shingle_ids(by_id[r["parent"]]["content"])
        inter = len(set(a.tolist()) & set(b.tolist()))
        out.append(inter / max(1, a.size + b.size - inter))
    return out


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(REPO))
    from native_align.evaluation.dedup import DEFAULT_CORPUS, shared_data_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="output .jsonl.gz")
    parser.add_argument("--corpus", default=None, help=f"input (default <shared data>/{DEFAULT_CORPUS})")
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="first N input records only")
    ns = parser.parse_args(argv)
    t0 = time.perf_counter()
    originals = read_originals(Path(ns.corpus) if ns.corpus else shared_data_dir() / DEFAULT_CORPUS, ns.limit)
    records = list(generate(originals, ns.factor, ns.seed))
    out = Path(ns.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")  # renamed when complete: a reader never sees half a file
    with gzip.open(partial, "wt", encoding="utf-8", compresslevel=1) as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    partial.replace(out)
    ops = Counter(op for r in records for op in r["ops"])
    jac = parent_jaccards(records, 2000, ns.seed)
    above = sum(j >= 0.8 for j in jac) / max(1, len(jac))
    print(f"{len(originals):,} originals -> {len(records):,} documents in {out} ({time.perf_counter() - t0:.1f} s)")
    print("operations: " + ", ".join(f"{k} {v:,}" for k, v in ops.most_common()))
    print(f"derivative vs parent Jaccard over a sample of {len(jac):,}: {above:.1%} >= 0.8; quartiles "
          + " / ".join(f"{sorted(jac)[int(q * (len(jac) - 1))]:.2f}" for q in (0.25, 0.5, 0.75)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
