"""``native-align eval guardrails``: do the guardrails let a correct rewrite through?

Every noise pair's clean target *is* a correct rewrite of its noisy source (the noise model only added what the
code of conduct removes), so each (source, target) is run through the guardrails exactly as a worker's output
would be. Goal: at most 1% of these correct rewrites rejected; the reasons of the misfires are listed with
examples so a rule can be fixed rather than loosened.

``--news`` adds the clean-news calibration of ``moderation_missed``: each article's correct rewrite is the article
with the sentences that hold contact details or ad calls to action deleted by :func:`reference_clean` (a cleaner
written for this check only, broader than the guardrail's detectors); whatever the guardrail still finds kept is
either a misfire or something the cleaner missed, and every firing is listed to be read.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from pathlib import Path

from native_align.alignment.guardrails import check_rewrite, check_rewrites, moderation_check
from native_align.options import add_common_options, common_args
from native_align.text.normalize import normalize_for_matching

GOAL = 0.01
# Every check but moderation_missed off: the news calibration measures that rule alone (a deleted sentence takes
# numbers and length with it, which the other rules would rightly notice).
_ONLY_MODERATION = {"check_language": False, "check_length": False, "check_meta": False, "check_truncation": False,
                    "check_echo": False, "check_numbers": False, "check_moderation": True}
_SENTENCE = re.compile(r"(?<=[.!?؟])\s+|\n+")
_DIGIT_FOLD = str.maketrans({**{chr(0x0660 + d): str(d) for d in range(10)},
                             **{chr(0x06F0 + d): str(d) for d in range(10)}})
# What the reference cleaner treats as contact or ad: deliberately broad (it may delete too much; deleting too much
# can only hide a misfire in that sentence, never create a reject).
_REF_CONTACT = re.compile(r"@|https?://|www\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,4}\b|\+?(?:\d[\s\-]?){7,}",
                          re.IGNORECASE)
# Matched on the normalized sentence (alef, ya and ta marbuta folded, tatweel and harakat removed: "أنقر هنــا").
_REF_AD = re.compile(r"(?:اتصل|اتصلوا|راسل|راسلوا|تواصلوا|تابع|تابعوا|اضغط|انقر|احجز|اطلب|سارع|سارعوا|اشترك|سجل|حمل)"
                     r"(?:نا|ونا)?\s+(?:بنا|معنا|الان|هنا|علي الرابط|علي|عبر)(?:\s|$|[.!،,:])")


def read_pairs(pairs_dir: Path) -> list[dict]:
    """(source, target) of every exported noise pair: training conversations and the held-out evaluation file."""
    out = []
    for name in ("chat/train.jsonl", "chat/validation.jsonl"):
        path = pairs_dir / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                if rec.get("origin", "expert") == "noise":
                    user = rec["messages"][-2]["content"]
                    out.append({"pair_id": rec["pair_id"], "source": user, "target": rec["messages"][-1]["content"]})
    heldout = pairs_dir / "eval" / "heldout.jsonl"
    if heldout.is_file():
        for line in heldout.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            out.append({"pair_id": rec["pair_id"], "source": rec["source"], "target": rec["target"]})
    return out


def calibrate(pairs: list[dict], cfg, prompt=None, moderation=None) -> dict:
    """Share of correct rewrites rejected, per reason, with up to 5 examples per reason."""
    results = check_rewrites([p["source"] for p in pairs], [p["target"] for p in pairs], cfg, prompt=prompt,
                             moderation=moderation)
    reasons: Counter = Counter()
    examples: dict[str, list[dict]] = {}
    for pair, res in zip(pairs, results):
        for reason in res.reasons:
            reasons[reason] += 1
            if len(examples.setdefault(reason, [])) < 5:
                examples[reason].append({"pair_id": pair["pair_id"], "detail": res.details.get(reason, "")})
    rejected = sum(not r.ok for r in results)
    return {"pairs": len(pairs), "rejected": rejected, "false_reject_rate": rejected / max(1, len(pairs)),
            "reasons": dict(reasons.most_common()), "examples": examples}


def read_news(path: str | Path, field: str = "content", limit: int | None = None) -> list[str]:
    """Article texts of a JSON-lines file (gzipped or not), in file order, at most ``limit``."""
    opener = gzip.open if str(path).endswith(".gz") else open
    out: list[str] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(out) >= limit:
                break
            if line.strip():
                out.append(json.loads(line).get(field) or "")
    return out


def reference_clean(text: str) -> str:
    """The calibration's correct rewrite: the article without the sentences that hold a contact marker (``@``, a
    link or domain, 7+ digits in a run) or an ad call to action ("اتصلوا بنا", "اضغط هنا"). Not the guardrail's
    detectors: a second, blunter opinion, so that the check does not grade itself."""
    kept = []
    for sentence in _SENTENCE.split(text):
        flat = sentence.translate(_DIGIT_FOLD)
        if sentence.strip() and not _REF_CONTACT.search(flat) and not _REF_AD.search(normalize_for_matching(sentence)):
            kept.append(sentence.strip())
    return "\n".join(kept)


def calibrate_news(articles: list[str], cfg, moderation=None, show: int = 50) -> dict:
    """``moderation_missed`` on clean news: what the articles hold (identity: every item the detectors find) and
    the share of reference-cleaned rewrites rejected, with what fired (up to ``show`` examples)."""
    check = moderation_check(cfg, moderation)
    scans = check.scan(articles)
    held: Counter = Counter()
    for scan in scans:
        held.update({it.kind for it in scan.items} | ({"any"} if scan.items else set()))
    cleaned = [reference_clean(a) for a in articles]
    only = cfg.model_copy(update=_ONLY_MODERATION)
    results = [check_rewrite(a, c, only, kept=k)
               for a, c, k in zip(articles, cleaned, check.check(articles, cleaned, before=scans))]
    fired: Counter = Counter()
    examples = []
    for i, res in enumerate(results):
        if "moderation_missed" not in res.reasons:  # an article that was all contacts is an empty rewrite
            continue
        detail = res.details["moderation_missed"]
        fired.update({part.split(" «")[0] for part in detail.split("; ") if part})
        if len(examples) < show:
            examples.append({"article": i, "detail": detail})
    rejected = sum("moderation_missed" in r.reasons for r in results)
    judged = sum(bool(c.strip()) for c in cleaned)
    return {"articles": len(articles), "with_items": dict(held.most_common()), "judged": judged,
            "empty_rewrites": len(articles) - judged, "rejected": rejected,
            "false_reject_rate": rejected / max(1, judged), "fired": dict(fired.most_common()), "examples": examples}


def _print_news(result: dict) -> None:
    print(f"clean news ({result['articles']:,} articles): articles holding something to remove: "
          + (", ".join(f"{k} {v:,}" for k, v in result["with_items"].items()) or "none"))
    print(f"  reference-cleaned rewrites rejected by moderation_missed: {result['rejected']:,} of "
          f"{result['judged']:,} = "
          f"{100 * result['false_reject_rate']:.3f}% (goal <= {100 * GOAL:.0f}%); fired: "
          + (", ".join(f"{k} {v}" for k, v in result["fired"].items()) or "nothing")
          + f"; {result['empty_rewrites']:,} articles empty after cleaning (not judged)")
    for e in result["examples"]:
        print(f"    article {e['article']}: {e['detail']}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="native-align eval guardrails", description=__doc__.split("\n")[0])
    p.add_argument("--pairs-dir", default=None, help="export-pairs output (default: train.pairs_dir)")
    p.add_argument("--news", default=None, help="also calibrate moderation_missed on clean news: a JSON-lines "
                                                "file (.gz ok), e.g. ../shared/data/corpus/saudinewsnet.jsonl.gz")
    p.add_argument("--news-field", default="content", help="the text field of --news records")
    p.add_argument("--news-limit", type=int, default=None, help="at most N articles")
    p.add_argument("--out", default=None, help="write the figures as JSON here")
    add_common_options(p)
    ns = p.parse_args(argv)
    settings = common_args(ns).settings()
    pairs_dir = Path(ns.pairs_dir or settings.train.pairs_dir)
    pairs = read_pairs(pairs_dir)
    if not pairs:
        print(f"eval guardrails: no noise pairs under {pairs_dir}: run `native-align pairs` and `export-pairs`")
        return 2
    from native_align.alignment.prompts import load_prompt

    cfg = settings.rewrite.guardrails
    result = calibrate(pairs, cfg, load_prompt(settings.train.prompt), moderation=settings.moderation)
    print(f"correct rewrites (clean targets of {result['pairs']:,} noise pairs): rejected {result['rejected']:,} "
          f"= {100 * result['false_reject_rate']:.2f}% (goal <= {100 * GOAL:.0f}%)")
    for reason, n in result["reasons"].items():
        shown = "; ".join(f"{e['pair_id']}: {e['detail']}" for e in result["examples"][reason][:3])
        print(f"  {reason:<24}{n:>6}   e.g. {shown}")
    out = {"pairs": result}
    ok = result["false_reject_rate"] <= GOAL
    if ns.news:
        news = calibrate_news(read_news(ns.news, ns.news_field, ns.news_limit), cfg, settings.moderation)
        _print_news(news)
        out["news"] = news
        ok = ok and news["false_reject_rate"] <= GOAL
    if ns.out:
        Path(ns.out).parent.mkdir(parents=True, exist_ok=True)
        Path(ns.out).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"written {ns.out}")
    return 0 if ok else 1
