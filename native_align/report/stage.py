"""``native-align report``: statistics of every table that exists, the before/after rewrite evaluation, plots, and
one self-contained HTML file plus a Markdown summary in ``report.output_dir``.

The report never fails because a stage has not run: that section says "stage not run". Model-based parts
(perplexity, judge) are evaluated on a deterministic sample and say "skipped" with the reason when their model or
endpoint is not available, so the same command works on a laptop without torch and on a cluster with a judge.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align import storage
from native_align.context import Context
from native_align.moderation.config import ModerationConfig
from native_align.report import plots, stats
from native_align.report.config import ReportConfig
from native_align.report.html import ReportSection, render_html, render_markdown
from native_align.report.judge import JudgeItem, judge_pairs, judge_summary
from native_align.report.moderation import before_after
from native_align.report.preservation import preservation, preservation_summary
from native_align.rewrite.aligned import select_aligned

log = logging.getLogger(__name__)

# The length-ratio histogram: bins over [0, max(2.0, p99)); only these binned counts reach the driver.
LENGTH_BINS = 40
LENGTH_RATIO_MIN_RANGE = 2.0
TABLES = ("documents", "quarantine", "signals", "duplicates", "curated", "pii", "seed", "aligned", "runs")
HTML_NAME = "report.html"
MARKDOWN_NAME = "report.md"


def _read(ctx, name: str) -> DataFrame | None:
    return ctx.tables.read(name) if ctx.tables.exists(name) else None


def _not_run(key: str, title: str, table: str) -> ReportSection:
    return ReportSection(key, title, status="stage not run", note=f"The `{table}` table does not exist yet.")


def _number(x) -> float:
    """A value of a one-row summary as float (None and NaN: NaN)."""
    return math.nan if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _pct(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def sample_pairs(pairs: DataFrame, n: int, seed: int) -> DataFrame:
    """``n`` pairs by the smallest hash of (seed, doc_id): the same sample on every rerun, no driver-side rand."""
    key = F.sha1(F.concat_ws(":", F.lit(str(seed)), F.col("doc_id")))
    return pairs.withColumn("_k", key).orderBy("_k").limit(n).drop("_k")


# -- corpus sections ------------------------------------------------------------------------------------------
def funnel_section(ctx, frames: dict, pairs: DataFrame | None, cfg: ReportConfig) -> ReportSection:
    docs, quarantine, signals = frames["documents"], frames["quarantine"], frames["signals"]
    stages: dict[str, DataFrame | None] = {s: None for s in ("ingested", "quarantined", "curated-kept", "deduped",
                                                             "seed", "aligned-ok")}
    counts_only = {}
    if docs is not None:
        stages["ingested"] = docs.select("text")
        if quarantine is not None:
            counts_only["ingested"] = [quarantine]
    if quarantine is not None:
        stages["quarantined"] = quarantine.select("record_key")
    if docs is not None and signals is not None:
        kept = signals.where(F.col("keep")).select("doc_id")
        stages["curated-kept"] = docs.join(kept, "doc_id", "left_semi").select("text")
    if frames["curated"] is not None:
        stages["deduped"] = frames["curated"].select("text")
    if frames["seed"] is not None:
        stages["seed"] = frames["seed"].select("text")
    if pairs is not None:
        stages["aligned-ok"] = pairs.select(F.col("rewrite").alias("text"))
    funnel = stats.funnel(ctx.spark, stages, cfg.tokens_per_word, counts_only).toPandas()
    if funnel["status"].eq("stage not run").all():
        return _not_run("funnel", "Funnel", "documents")
    s = ReportSection("funnel", "Funnel", note=(
        "Documents, characters and estimated tokens at each stage. Estimated tokens = whitespace words x "
        f"{cfg.tokens_per_word:g} (an estimate, not a tokenizer count). 'ingested' counts documents plus "
        "quarantined records; characters count parsed documents only."))
    s.plots.append(("funnel", plots.funnel_plot(funnel)))
    s.tables.append(("", funnel))
    ok = funnel[funnel["status"] == "ok"].set_index("stage")
    if "ingested" in ok.index and "deduped" in ok.index:
        s.summary.append(f"{int(ok.loc['deduped', 'documents']):,} of {int(ok.loc['ingested', 'documents']):,} "
                         f"ingested documents survive curation and dedup "
                         f"({_pct(ok.loc['deduped', 'documents'] / max(ok.loc['ingested', 'documents'], 1))}).")
    return s


def reject_section(signals: DataFrame | None) -> ReportSection:
    if signals is None:
        return _not_run("rejects", "Reject reasons (curate)", "signals")
    reasons = stats.reject_reasons(signals).toPandas()
    s = ReportSection("rejects", "Reject reasons (curate)",
                      note="Rejected documents per quality rule; one document can fail several rules.")
    if len(reasons):
        s.plots.append(("reject reasons", plots.bar_plot(reasons, "reason", "documents", "Reject reasons")))
        top = reasons.iloc[0]
        s.summary.append(f"most frequent reason: {top['reason']} ({int(top['documents']):,} documents)")
    else:
        s.summary.append("curate rejected no document.")
    s.tables.append(("", reasons))
    return s


def language_section(signals: DataFrame | None) -> ReportSection:
    if signals is None:
        return _not_run("languages", "Languages", "signals")
    langs = stats.language_distribution(signals).toPandas()
    s = ReportSection("languages", "Languages", note="Top-1 fastText label per document, and how many curate kept.")
    if len(langs):
        s.plots.append(("languages", plots.languages_plot(langs)))
        arabic = langs.loc[langs["is_arabic"].fillna(False).astype(bool), "documents"].sum()
        s.summary.append(f"Arabic (counted labels): {int(arabic):,} of {int(langs['documents'].sum()):,} "
                         f"documents ({_pct(arabic / max(langs['documents'].sum(), 1))})")
    s.tables.append(("", langs))
    return s


def duplicates_section(duplicates: DataFrame | None) -> ReportSection:
    if duplicates is None:
        return _not_run("duplicates", "Duplicate clusters", "duplicates")
    hist = stats.cluster_size_histogram(duplicates).toPandas()
    methods = duplicates.groupBy("method").agg(F.count(F.lit(1)).alias("documents"),
                                               F.sum((~F.col("is_survivor")).cast("long")).alias("removed")) \
        .orderBy("method").toPandas()
    s = ReportSection("duplicates", "Duplicate clusters",
                      note="Clusters of exact and near duplicates (MinHash LSH + connected components); one survivor "
                           "per cluster, the others removed.")
    if len(hist):
        s.plots.append(("cluster sizes", plots.cluster_sizes_plot(hist)))
        s.summary.append(f"{int(hist['clusters'].sum()):,} clusters holding {int(hist['documents'].sum()):,} "
                         f"documents; {int(hist['removed'].sum()):,} removed; largest cluster "
                         f"{int(hist['cluster_size'].max()):,} documents")
    else:
        s.summary.append("no duplicates found.")
    s.tables += [("by cluster size", hist), ("by method", methods)]
    return s


def source_section(frames: dict, aligned: DataFrame | None) -> ReportSection:
    if frames["documents"] is None:
        return _not_run("sources", "Per source", "documents")
    src = stats.per_source(frames["documents"], frames["signals"], frames["duplicates"], frames["curated"],
                           aligned, frames["quarantine"]).toPandas()
    s = ReportSection("sources", "Per source", note="Documents per source and where they ended (null: stage not run).")
    s.plots.append(("per source", plots.per_source_plot(src)))
    s.tables.append(("", src))
    return s


def runs_section(ctx, runs: DataFrame | None) -> tuple[ReportSection, str]:
    """The reconciliation (counted now from the tables) and the latest `runs` row of every stage."""
    from native_align.runs import reconcile

    recon = reconcile(ctx)
    s = ReportSection("runs", "Reconciliation and runs",
                      status="ok" if recon.ok else "MISMATCH",
                      note="ingested = kept + rejected + duplicates + quarantined, counted from the tables now; "
                           "below, the latest recorded execution of every stage.")
    if runs is not None:
        s.tables.append(("latest run of each stage", stats.latest_stage_runs(runs).toPandas()))
    else:
        s.summary.append("no `runs` table yet (no stage was run through the pipeline).")
    s.summary.append("reconciliation " + ("passes" if recon.ok else "FAILS: " + "; ".join(recon.problems)))
    return s, recon.render()


# -- rewrite sections -----------------------------------------------------------------------------------------
def rewrite_status_section(aligned: DataFrame | None) -> ReportSection:
    if aligned is None:
        return _not_run("rewrite", "Rewrite status", "aligned")
    status = stats.rewrite_status(aligned).toPandas()
    reasons = stats.rewrite_reasons(aligned).toPandas()
    s = ReportSection("rewrite", "Rewrite status",
                      note="One row per document (the configured model/prompt version, else the latest). Rejected "
                           "and failed rewrites keep the original text in the export.")
    total = int(status["documents"].sum())
    ok = int(status.loc[status["status"] == "ok", "documents"].sum())
    s.summary.append(f"{ok:,} of {total:,} rewrites passed the guardrails ({_pct(ok / max(total, 1))})")
    if len(reasons):
        s.plots.append(("rewrite reasons", plots.bar_plot(reasons, "reason", "documents",
                                                          "Why rewrites were rejected or failed")))
    s.tables += [("status", status), ("reasons", reasons)]
    return s


def length_section(pairs: DataFrame | None, n_pairs: int) -> ReportSection:
    if pairs is None or n_pairs == 0:
        return ReportSection("length", "Length change", status="stage not run" if pairs is None else "skipped",
                             note="No rewrite with status ok yet.")
    lengths = stats.length_change(pairs)
    summ = stats.length_summary(lengths).toPandas()
    row = summ.iloc[0]
    # Range of the plot: 0 to the 99th percentile (at least 2.0), in quarter steps; larger ratios in the last bin.
    p99, med = _number(row["ratio_p99"]), _number(row["ratio_median"])
    hi = max(LENGTH_RATIO_MIN_RANGE, math.ceil(4 * p99) / 4 if not math.isnan(p99) else 0.0)
    hist = stats.histogram(lengths, "char_ratio", 0.0, hi, LENGTH_BINS).toPandas()
    s = ReportSection("length", "Length change", note=(
        "Characters of the rewrite / characters of the original per document, binned in Spark "
        f"({LENGTH_BINS} bins over [0, {hi:g}); larger ratios in the last bin). Median and table quantiles are "
        "Spark's approximate percentiles."))
    s.plots.append(("length ratio", plots.length_ratio_plot(hist, med, hi)))
    s.summary.append(f"median length ratio {med:.2f}; total characters {int(row['original_chars']):,} -> "
                     f"{int(row['rewrite_chars']):,}")
    s.tables.append(("", summ))
    return s


def preservation_section(pairs: DataFrame | None, n_pairs: int) -> ReportSection:
    if pairs is None or n_pairs == 0:
        return ReportSection("preservation", "Numbers and names kept",
                             status="stage not run" if pairs is None else "skipped",
                             note="No rewrite with status ok yet.")
    summ = preservation_summary(preservation(pairs)).toPandas()
    row = summ.iloc[0]
    s = ReportSection("preservation", "Numbers and names kept", note=(
        "Share of the original's numbers (phone numbers and links excluded) and approximate names found again in "
        "the rewrite. Names are approximated: Latin capitalized words and acronyms, and Arabic words after a "
        "title/kinship word (الرئيس، الأمير، بن ...) or a place/organisation word (مدينة، شركة ...): high "
        "precision, low recall, useful for before/after comparison only."))
    s.summary.append(f"numbers kept: {_pct(row['numbers_kept_share'])} of {int(row['numbers'] or 0):,}; "
                     f"names kept: {_pct(row['names_kept_share'])} of {int(row['names'] or 0):,}")
    def share(v) -> float:
        return math.nan if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

    rows = pd.DataFrame([
        {"metric": "numbers", "share": share(row["numbers_kept_share"]), "total": int(row["numbers"] or 0)},
        {"metric": "names (approx.)", "share": share(row["names_kept_share"]), "total": int(row["names"] or 0)}])
    s.plots.append(("numbers and names kept", plots.share_plot(rows, "Numbers and names kept by the rewrite")))
    s.tables.append(("", summ))
    return s


def toxicity_section(pairs: DataFrame | None, n_pairs: int, cfg: ReportConfig,
                     moderation: ModerationConfig) -> ReportSection:
    """The paper's moderation figure: share of documents flagged per category, before and after the rewrite."""
    if cfg.toxicity_lexicon:  # the older report setting: a lexicon file for this section
        moderation = moderation.model_copy(update={"scorer": "lexicon", "lexicon_path": cfg.toxicity_lexicon})
    title = f"Moderation before / after ({moderation.scorer})"
    if pairs is None or n_pairs == 0:
        return ReportSection("toxicity", title, status="stage not run" if pairs is None else "skipped",
                             note="No rewrite with status ok yet.")
    sample = pairs if n_pairs <= cfg.toxicity_max_docs else sample_pairs(pairs, cfg.toxicity_max_docs, cfg.seed)
    try:
        table, df = before_after(sample, moderation)
    except (FileNotFoundError, ImportError) as exc:
        return ReportSection("toxicity", title, status="skipped", note=f"moderation scorer unavailable: {exc}")
    n = int(sample.count()) if n_pairs > cfg.toxicity_max_docs else n_pairs
    s = ReportSection("toxicity", title, note=(
        f"{n:,} rewritten documents scored by the `{moderation.scorer}` scorer (moderation section of the settings), "
        "original and rewrite; a document is flagged in a category when its score reaches the scorer's threshold. "
        "Categories the scorer cannot score are left out."))
    plot_rows = table.rename(columns={"category": "metric", "share before": "original", "share after": "rewrite"})
    s.plots.append(("moderation", plots.before_after_plot(plot_rows[["metric", "original", "rewrite"]],
                                                          "Documents flagged, per category")))
    anyrow = table.iloc[0]
    s.summary.append(f"documents flagged: {_pct(anyrow['share before'])} -> {_pct(anyrow['share after'])}")
    s.tables.append(("", table))
    kept = (df.where(F.col("before.flagged") & F.col("after.flagged")).orderBy("doc_id").limit(3)
            .select("doc_id", F.substring("rewrite", 1, 300).alias("rewrite (still flagged)")).toPandas())
    if len(kept):
        s.tables.append(("Rewrites still flagged (first 3)", kept))
    return s


def worker_section(cfg: ReportConfig) -> ReportSection:
    """A trained worker against its base model on held-out pairs, from ``native-align eval worker``'s JSON."""
    title = "Alignment worker vs its base model"
    path = Path(cfg.worker_eval) if cfg.worker_eval else None
    if path is None or not path.is_file():
        return ReportSection("worker", title, status="skipped", note=(
            f"No worker evaluation at {path}: run `native-align eval worker` (docs/worker.md)."))
    data = json.loads(path.read_text(encoding="utf-8"))
    models = data.get("models") or []
    keys = [("accepted", "accepted by the guardrails"),
            ("removed.ads+contacts+boilerplate", "ads+contacts+boilerplate removed"),
            ("removed.insults", "insults removed"), ("numbers_kept", "numbers kept"),
            ("chrf", "chrF++ to target"), ("do_no_harm_chrf", "do no harm chrF++"),
            ("length_ratio_median", "median length ratio"), ("tokens_per_second", "output tokens/s")]
    rows = []
    for key, label in keys:
        row = {"metric": label}
        for m in models:
            row[f"{m['name']} ({m['model']})"] = m.get(key) if key == "tokens_per_second" else m["overall"].get(key)
        rows.append(row)
    s = ReportSection("worker", title, note=(
        f"{data.get('pairs', 0)} held-out pairs ({data.get('pairs_file', '')}) from documents the worker never saw, "
        "rewritten by each model through the rewrite stage's own path; goals: " + ", ".join(
            f"{k} ≥ {v}" for k, v in (data.get("goals") or {}).items())))
    s.tables.append(("", pd.DataFrame(rows)))
    if "goals_missed" in data:
        s.summary.append("worker goals missed: " + ("; ".join(data["goals_missed"]) or "none"))
    examples = [{"pool": e["templates"], "source": e["source"][:300], "target": e["target"][:300],
                 **{name: ((out or {}).get("rewrite") or "")[:300] for name, out in e["outputs"].items()}}
                for e in (data.get("examples") or [])[:6]]
    if examples:
        s.tables.append(("Before / after examples", pd.DataFrame(examples)))
    return s


def pii_section(pii: DataFrame | None) -> ReportSection:
    """What the redact stage removed, per kind."""
    title = "Personal data redacted"
    if pii is None:
        return _not_run("pii", title, "pii")
    kinds = [c for c in pii.columns if c.startswith("pii_")]
    row = pii.agg(F.count(F.lit(1)).alias("docs"), F.sum(F.col("dropped").cast("long")).alias("dropped"),
                  *[F.sum(c).alias(c) for c in kinds]).first().asDict()
    table = pd.DataFrame([{"kind": c[len("pii_"):], "redacted": int(row[c] or 0)} for c in kinds])
    s = ReportSection("pii", title, note=(
        "Typed placeholders (<PHONE>, <EMAIL>, ...) replace personal data in `curated` before anything is rewritten "
        "or exported (docs/pii.md); a kind whose policy is `drop` removes the document."))
    s.summary.append(f"documents with personal data: {int(row['docs'] or 0):,}, dropped: {int(row['dropped'] or 0):,}")
    s.tables.append(("", table))
    return s


def perplexity_section(pairs: DataFrame | None, n_pairs: int, cfg: ReportConfig) -> ReportSection:
    title = "Perplexity (reference LM)"
    pcfg = cfg.perplexity
    if pairs is None or n_pairs == 0:
        return ReportSection("perplexity", title, status="stage not run" if pairs is None else "skipped",
                             note="No rewrite with status ok yet.")
    if not pcfg.enabled:
        return ReportSection("perplexity", title, status="skipped", note="disabled (report.perplexity.enabled).")
    try:
        from native_align.lm.perplexity import load_reference_lm, perplexities
        from native_align.lm.reference import ReferenceModelUnavailable
    except ImportError as exc:
        return ReportSection("perplexity", title, status="skipped", note=f"unavailable: {exc}")
    try:
        model, tok = load_reference_lm(pcfg.model)
    except (ReferenceModelUnavailable, ImportError) as exc:
        return ReportSection("perplexity", title, status="skipped", note=f"reference LM unavailable: {exc}")
    except Exception as exc:  # a broken model must cost one section, not the report; the log keeps the traceback
        log.exception("report: loading the reference LM failed")
        return ReportSection("perplexity", title, status="skipped",
                             note=f"reference LM failed to load: {type(exc).__name__}: {str(exc)[:300]}")
    sample = sample_pairs(pairs, pcfg.sample_size, cfg.seed).collect()
    originals = [r["original_text"] for r in sample]
    rewrites = [r["rewrite"] for r in sample]
    before = perplexities(originals, model, tok, batch_size=pcfg.batch_size, max_tokens=pcfg.max_tokens)
    after = perplexities(rewrites, model, tok, batch_size=pcfg.batch_size, max_tokens=pcfg.max_tokens)
    frame = pd.DataFrame({"doc_id": [r["doc_id"] for r in sample], "original": before, "rewrite": after})
    med_b, med_a = frame["original"].median(), frame["rewrite"].median()
    s = ReportSection("perplexity", title, note=(
        f"Model: {pcfg.model or 'gemma3-270m (GGUF)'}; {len(sample)} sampled pairs (seed {cfg.seed}), first "
        f"{pcfg.max_tokens} tokens each. Lower = closer to fluent text the model has seen."))
    s.plots.append(("perplexity", plots.perplexity_plot(before, after)))
    s.summary.append(f"median perplexity {med_b:.1f} (original) -> {med_a:.1f} (rewrite); rewrite lower for "
                     f"{_pct(float((frame['rewrite'] < frame['original']).mean()))} of pairs")
    s.tables.append(("median", pd.DataFrame([{"pairs": len(frame), "original": med_b, "rewrite": med_a}])))
    return s


def judge_section(pairs: DataFrame | None, n_pairs: int, cfg: ReportConfig) -> tuple[ReportSection, int]:
    title = "LLM judge (five aspects)"
    jcfg = cfg.judge
    if pairs is None or n_pairs == 0:
        return ReportSection("judge", title, status="stage not run" if pairs is None else "skipped",
                             note="No rewrite with status ok yet."), 0
    if not jcfg.base_url:
        return ReportSection("judge", title, status="skipped",
                             note="no judge endpoint configured (report.judge.base_url)."), 0
    from native_align.llm.client import ChatClient

    sample = sample_pairs(pairs, jcfg.sample_size, cfg.seed).collect()
    items = [JudgeItem(r["doc_id"], r["original_text"] or "", r["rewrite"] or "") for r in sample]
    client = ChatClient.from_config(jcfg)
    scores = judge_pairs(client, items, jcfg.max_chars)
    summary = judge_summary(scores)
    failed = int((~scores["parsed"]).sum())
    s = ReportSection("judge", title, note=(
        f"Judge model {jcfg.model}; {len(items)} sampled pairs, original and rewrite scored separately (1-10) on "
        f"format, accuracy of information, content moderation, advertisement removal, level of detail. "
        f"{failed} of {len(scores)} judgements unusable (failed or unparsable); "
        f"{int(scores['truncated'].sum())} texts cut at {jcfg.max_chars} characters."))
    if int(summary["pairs"].max() if len(summary) else 0) > 0:
        s.plots.append(("judge scores", plots.judge_plot(summary)))
        best = summary.sort_values("delta", ascending=False).iloc[0]
        s.summary.append(f"largest change: {best['label']} {best['original']:.1f} -> {best['rewrite']:.1f}")
    else:
        s.status = "skipped"
        s.summary.append("no pair got usable scores for both versions.")
    s.tables.append(("", summary))
    return s, len(scores) - failed


# -- runner ---------------------------------------------------------------------------------------------------
def build_sections(ctx) -> tuple[list[ReportSection], dict[str, str], dict[str, int]]:
    """Every section in report order, the preformatted reconciliation, and counts for the `runs` table."""
    cfg = ctx.settings.report
    frames = {name: _read(ctx, name) for name in TABLES}
    aligned = None
    pairs = None
    n_pairs = 0
    if frames["aligned"] is not None:
        aligned = select_aligned(frames["aligned"], cfg.aligned_model, cfg.aligned_prompt_version).cache()
        pairs = aligned.where(F.col("status") == "ok").select("doc_id", "original_text", "rewrite")
        n_pairs = pairs.count()
    runs, recon_text = runs_section(ctx, frames["runs"])
    judge, judged = judge_section(pairs, n_pairs, cfg)
    sections = [
        funnel_section(ctx, frames, pairs, cfg),
        runs,
        reject_section(frames["signals"]),
        language_section(frames["signals"]),
        duplicates_section(frames["duplicates"]),
        source_section(frames, aligned),
        rewrite_status_section(aligned),
        length_section(pairs, n_pairs),
        preservation_section(pairs, n_pairs),
        pii_section(frames["pii"]),
        toxicity_section(pairs, n_pairs, cfg, ctx.settings.moderation),
        perplexity_section(pairs, n_pairs, cfg),
        judge,
        worker_section(cfg),
    ]
    if aligned is not None:
        aligned.unpersist()
    counts = {
        "sections": len(sections),
        "sections_ok": sum(s.status == "ok" for s in sections),
        "sections_not_run": sum(s.status == "stage not run" for s in sections),
        "sections_skipped": sum(s.status == "skipped" for s in sections),
        "plots": sum(len(s.plots) for s in sections),
        "aligned_ok": n_pairs,
        "judged": judged,
    }
    return sections, {"runs": recon_text}, counts


def write_report(ctx, output_dir: str | Path | None = None) -> dict[str, int]:
    """Build and write report.html + report.md to a folder or any URI storage.py writes; returns the counts."""
    cfg = ctx.settings.report
    out = str(output_dir or cfg.output_dir)
    storage.makedirs(out)
    sections, pre, counts = build_sections(ctx)
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    where = ctx.tables.cfg.root if ctx.tables.cfg.mode == "path" else ctx.tables.cfg.catalog_prefix
    subtitle = f"run {ctx.run_id} · generated {now} · tables: {where}"
    html = storage.join(out, HTML_NAME)
    storage.write_text(html, render_html(cfg.title, subtitle, sections, pre))
    storage.write_text(storage.join(out, MARKDOWN_NAME), render_markdown(cfg.title, subtitle, sections, pre))
    log.info("report written to %s (%d sections, %d plots)", html, counts["sections"], counts["plots"])
    return counts


def run(ctx: Context) -> dict[str, int]:
    """Stage runner (``native_align.registry``: ``report``)."""
    return write_report(ctx)
