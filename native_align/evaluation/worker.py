"""``native-align eval worker``: a trained alignment worker against the model it was trained from, on held-out pairs.

Both models rewrite the same held-out chunks (``<pairs_dir>/eval/heldout.jsonl``, written by ``export-pairs`` from
documents the worker never saw) through the rewrite stage's own path (``RewriteWorker``: prompt resolution, engine,
output cleaning, guardrails): the base model as the pipeline prompts it (few-shot completion for the reference
base model), the worker as it was trained (its ``worker.json``). Per model: share accepted by the guardrails and
their reasons; removal per noise family (``evaluation/removal.py``); numbers of the target kept; chrF++ to the clean
target (sacrebleu); *do no harm*: chrF++ of the rewrite of an already-clean chunk to itself; median length ratio;
Arabic kept; output tokens/s; what moderation left, by the guardrail ``moderation_missed``'s own detectors and the
run's ``moderation`` scorer: outputs still flagged among pairs whose source was flagged, outputs that kept a
contact detail / an ad phrase of their source among sources that had one. Pairs noised with held-out templates are
reported apart from those with training templates. Prints a table, writes JSON (with before/after examples for the
report's worker section).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from native_align.alignment.guardrails import extract_numbers
from native_align.evaluation.removal import DELETION_FAMILIES, left_in
from native_align.moderation.removable import CONTACT_KINDS, RemovalCheck
from native_align.options import add_common_options, common_args

log = logging.getLogger(__name__)

GROUPS = ("train", "heldout", "clean")  # template pools: seen templates, held-out templates, untouched chunks
GOALS = {"accepted": 0.80, "removed.ads+contacts+boilerplate": 0.90, "removed.insults": 0.90,
         "numbers_kept": 0.97, "chrf": 85.0, "do_no_harm_chrf": 90.0}


def read_heldout(path: str | Path, limit: int | None = None) -> list[dict]:
    """Evaluation pairs in file order (export-pairs orders them by pair id), at most ``limit``, spread over the
    template pools (round robin) so a small limit still measures every pool."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit is None or limit >= len(rows):
        return rows
    by_pool: dict[str, list[dict]] = {}
    for r in rows:
        by_pool.setdefault(r["templates"], []).append(r)
    out: list[dict] = []
    while len(out) < limit:
        for pool in sorted(by_pool):
            if by_pool[pool] and len(out) < limit:
                out.append(by_pool[pool].pop(0))
    return out


def rewrite_pairs(rewrite_cfg: dict, pairs: list[dict], batch: int,
                  moderation: dict | None = None) -> tuple[list[Any], float, str]:
    """Rewrite every source with a RewriteWorker built from ``rewrite_cfg`` (and the run's ``moderation`` section,
    as the rewrite stage builds it); (results, generation seconds, model id)."""
    from native_align.rewrite.worker import RewriteWorker

    worker = RewriteWorker(rewrite_cfg, moderation)
    results, seconds = [], 0.0
    for start in range(0, len(pairs), batch):
        part = pairs[start:start + batch]
        t0 = time.perf_counter()
        results.extend(worker.rewrite([p["pair_id"] for p in part], [p["source"] for p in part]))
        seconds += time.perf_counter() - t0
        log.info("eval worker: %s %d/%d", worker.model, min(start + batch, len(pairs)), len(pairs))
    return results, seconds, worker.model


def _chrf(hyps: list[str], refs: list[str]) -> float | None:
    if not hyps:
        return None
    from sacrebleu.metrics import CHRF

    return round(CHRF(word_order=2).corpus_score(hyps, [refs]).score, 2)


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def leftovers(check: RemovalCheck, pairs: list[dict], results: list[Any]) -> list[dict[str, bool]]:
    """Per pair, what moderation left in the output: one scorer call for the sources, one for the outputs."""
    outputs = [r.rewrite or "" for r in results]
    before = check.scan([p["source"] for p in pairs])
    after = check.scan(outputs)
    out = []
    for b, a, text in zip(before, after, outputs):
        kinds = {it.kind for it in check.kept(b, text, a)}
        out.append({"source_flagged": bool(b.result and b.result.flagged),
                    "output_flagged": bool(a.result and a.result.flagged),
                    "source_contact": any(it.kind in CONTACT_KINDS for it in b.items),
                    "contact_left": bool(kinds & set(CONTACT_KINDS)),
                    "source_ad": any(it.kind == "ad" for it in b.items), "ad_left": "ad" in kinds})
    return out


def _left_figures(left: list[dict[str, bool]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for src, kept, name in (("source_flagged", "output_flagged", "flagged"),
                            ("source_contact", "contact_left", "contacts"), ("source_ad", "ad_left", "ads")):
        rows = [x for x in left if x[src]]
        out[f"{name}_sources"] = len(rows)
        out[f"{name}_left"] = _share(sum(x[kept] for x in rows), len(rows))
    return out


def score(pairs: list[dict], results: list[Any], arabic: list[bool], left: list[dict] | None = None,
          ) -> dict[str, Any]:
    """Every figure of one model over ``pairs`` (aligned with ``results``, the Arabic verdicts and, when given,
    :func:`leftovers`)."""
    reasons: Counter = Counter()
    injected: Counter = Counter()
    kept_in: Counter = Counter()
    numbers_total = numbers_kept = 0
    ratios = []
    noisy_h, noisy_r, clean_h, clean_r = [], [], [], []
    for pair, res in zip(pairs, results):
        out = res.rewrite or ""
        reasons.update(res.reasons)
        for inj in pair["injections"]:
            fam = inj["family"]
            injected[fam] += 1
            kept_in[fam] += left_in(inj, out, pair["target"])
        required, _ = extract_numbers(pair["target"])
        _, present = extract_numbers(out)
        numbers_total += len(required)
        numbers_kept += len(required & present)
        ratios.append(len(out) / max(1, len(pair["target"])))
        (clean_h if pair["templates"] == "clean" else noisy_h).append(out)
        (clean_r if pair["templates"] == "clean" else noisy_r).append(pair["target"])
    n = len(pairs)
    removal = {fam: _share(injected[fam] - kept_in[fam], injected[fam]) for fam in sorted(injected)}
    deletions = [f for f in ("ads", "contacts", "boilerplate") if injected[f]]
    figures = {
        "pairs": n,
        "accepted": _share(sum(r.status == "ok" for r in results), n),
        "errors": sum(r.status == "error" for r in results),
        "reject_reasons": dict(reasons.most_common()),
        "removed": removal,
        "removed.ads+contacts+boilerplate": _share(sum(injected[f] - kept_in[f] for f in deletions),
                                                   sum(injected[f] for f in deletions)),
        "removed.insults": removal.get("insults"),
        "injections": dict(injected),
        "numbers_kept": _share(numbers_kept, numbers_total),
        "chrf": _chrf(noisy_h, noisy_r),
        "do_no_harm_chrf": _chrf(clean_h, clean_r),
        "length_ratio_median": round(statistics.median(ratios), 3) if ratios else None,
        "arabic": _share(sum(arabic), n),
    }
    if left is not None:
        figures.update(_left_figures(left))
    return figures


def evaluate_model(name: str, rewrite_cfg: dict, pairs: list[dict], batch: int, check: RemovalCheck | None = None,
                   moderation: dict | None = None) -> dict[str, Any]:
    """Rewrite, then score overall and per template pool; keeps the outputs for examples. ``check``: the
    moderation detectors (default: the packaged lexicon and ad list); ``moderation``: the run's section, for the
    guardrails."""
    from native_align.moderation.removable import removal_check
    from native_align.text.lid import default_scorer

    results, seconds, model_id = rewrite_pairs(rewrite_cfg, pairs, batch, moderation)
    scores = default_scorer().arabic_scores([r.rewrite or "" for r in results])
    arabic = [s >= 0.5 for s in scores]
    left = leftovers(check or removal_check(), pairs, results)
    out = {"name": name, "model": model_id, "seconds": round(seconds, 1),
           "completion_tokens": sum(r.completion_tokens for r in results),
           "overall": score(pairs, results, arabic, left)}
    out["tokens_per_second"] = round(out["completion_tokens"] / max(seconds, 1e-9), 1)
    for group in GROUPS:
        idx = [i for i, p in enumerate(pairs) if p["templates"] == group]
        if idx:
            out[group] = score([pairs[i] for i in idx], [results[i] for i in idx], [arabic[i] for i in idx],
                               [left[i] for i in idx])
    out["outputs"] = {r.doc_id: {"rewrite": r.rewrite, "status": r.status, "reasons": r.reasons} for r in results}
    return out


def examples(pairs: list[dict], models: list[dict], n: int = 6) -> list[dict]:
    """Before/after examples: the first noisy pairs of each pool, with every model's output."""
    picked = []
    for group in ("train", "heldout", "clean"):
        picked += [p for p in pairs if p["templates"] == group][: max(1, n // 3)]
    return [{"pair_id": p["pair_id"], "templates": p["templates"], "families": p["families"], "source": p["source"],
             "target": p["target"], "outputs": {m["name"]: m["outputs"].get(p["pair_id"]) for m in models}}
            for p in picked]


PLAIN = {"chrf", "do_no_harm_chrf", "length_ratio_median"}  # figures that are not shares


def _fmt(v: Any, key: str = "") -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and key not in PLAIN:
        return f"{100 * v:.1f}%"
    return f"{v}"


def render(models: list[dict]) -> str:
    """The comparison table: one column per model, overall and per template pool."""
    rows = [("accepted", "accepted by guardrails"),
            ("removed.ads+contacts+boilerplate", "ads+contacts+boilerplate removed"),
            ("removed.insults", "insults removed"), ("numbers_kept", "numbers kept"), ("chrf", "chrF++ to target"),
            ("do_no_harm_chrf", "do no harm chrF++"), ("length_ratio_median", "length ratio (median)"),
            ("arabic", "Arabic"), ("flagged_left", "still flagged (of flagged sources)"),
            ("contacts_left", "contact kept (of sources with one)"), ("ads_left", "ad phrase kept (of sources w/ one)")]
    lines = []
    for scope in ("overall", *GROUPS):
        if not any(scope in m for m in models):
            continue
        n = next(m[scope]["pairs"] for m in models if scope in m)
        lines.append(f"[{scope}: {n} pairs]" if scope != "overall" else f"[all: {n} pairs]")
        lines.append(f"  {'metric':<36}" + "".join(f"{m['name']:>16}" for m in models) + "    goal")
        for key, label in rows:
            vals = [m.get(scope, {}).get(key) for m in models]
            if all(v is None for v in vals):
                continue
            goal = GOALS.get(key)
            lines.append(f"  {label:<36}" + "".join(f"{_fmt(v, key):>16}" for v in vals)
                         + (f"    ≥ {_fmt(goal, key)}" if goal is not None and scope == "overall" else ""))
        fams = sorted({f for m in models for f in (m.get(scope, {}).get("removed") or {})})
        for fam in fams:
            vals = [m.get(scope, {}).get("removed", {}).get(fam) for m in models]
            lines.append(f"  {'  removed: ' + fam:<36}" + "".join(f"{_fmt(v):>16}" for v in vals))
    lines.append(f"  {'output tokens/s':<36}" + "".join(f"{m['tokens_per_second']:>16}" for m in models))
    for m in models:
        top = ", ".join(f"{k} {v}" for k, v in list(m["overall"]["reject_reasons"].items())[:6]) or "none"
        lines.append(f"{m['name']} = {m['model']}: reject reasons: {top}")
    return "\n".join(lines)


def goals_missed(worker: dict) -> list[str]:
    o = worker["overall"]
    return [f"{k} {_fmt(o.get(k), k)} < {_fmt(g, k)}" for k, g in GOALS.items() if o.get(k) is None or o[k] < g]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="native-align eval worker", description=__doc__.split("\n")[0])
    p.add_argument("--pairs-dir", default=None, help="export-pairs output with eval/heldout.jsonl "
                                                     "(default: train.pairs_dir)")
    p.add_argument("--worker", default=None, help="trained worker folder (default: train.output_dir)")
    p.add_argument("--base", default=None, help="base model folder or hub id (default: the reference model)")
    p.add_argument("--models", default="base,worker", help="which to evaluate: base, worker or both")
    p.add_argument("--limit", type=int, default=None, help="at most N held-out pairs, spread over the pools")
    p.add_argument("--batch", type=int, default=32, help="pairs per engine call")
    p.add_argument("--out", default="work/eval/worker_eval.json", help="JSON result (the report reads it)")
    add_common_options(p)
    ns = p.parse_args(argv)
    settings = common_args(ns).settings()
    pairs_dir = Path(ns.pairs_dir or settings.train.pairs_dir)
    heldout = pairs_dir / "eval" / "heldout.jsonl"
    if not heldout.is_file():
        print(f"eval worker: {heldout} not found: run `native-align pairs` and `native-align export-pairs` first")
        return 2
    pairs = read_heldout(heldout, ns.limit)
    from native_align.moderation.removable import removal_check

    check = removal_check(settings.moderation, settings.rewrite.guardrails.ads_path)
    base_cfg = settings.rewrite.model_dump()
    base_cfg["transformers"]["batch_size"] = ns.batch
    wanted = [m.strip() for m in ns.models.split(",") if m.strip()]
    runs = []
    for name in wanted:
        cfg = json.loads(json.dumps(base_cfg))
        cfg["engine"], cfg["model_name"] = "transformers", None
        if name == "worker":
            cfg["transformers"]["model"] = ns.worker or settings.train.output_dir
            cfg["transformers"]["gguf_file"] = None
        elif ns.base:
            cfg["transformers"]["model"] = ns.base
        print(f"eval worker: rewriting {len(pairs)} held-out pairs with the {name} model ...", flush=True)
        runs.append(evaluate_model(name, cfg, pairs, ns.batch, check, settings.moderation.model_dump()))
    print(render(runs))
    result = {"pairs_file": str(heldout), "pairs": len(pairs), "goals": GOALS,
              "models": [{k: v for k, v in m.items() if k != "outputs"} for m in runs],
              "examples": examples(pairs, runs)}
    if "worker" in wanted:
        missed = goals_missed(next(m for m in runs if m["name"] == "worker"))
        result["goals_missed"] = missed
        print("worker goals missed: " + ("; ".join(missed) if missed else "none"))
    out = Path(ns.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {out}")
    return 0
