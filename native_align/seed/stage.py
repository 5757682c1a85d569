"""``native-align seed``: pick the seed documents the alignment expert will rewrite; writes the `seed` table.

Input is `curated` (kept, deduplicated docs); before dedup has run, `documents` joined with the `signals` rows
curate kept. The table is overwritten on each run: a seed is a choice, and annotation is cached by content, so
re-sampling never pays twice for a document already annotated.
"""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align.context import Context
from native_align.faults import checkpoint
from native_align.seed import sample
from native_align.seed.config import SeedConfig

log = logging.getLogger(__name__)


class SeedError(RuntimeError):
    """The seed cannot be drawn as configured (no input table, no reference LM for perplexity, ...)."""


def seed_input(ctx: Context) -> DataFrame:
    """`curated`, else `documents` ⨝ `signals` where keep: columns doc_id, content_hash, text, source."""
    t = ctx.tables
    if t.exists("curated"):
        df = t.read("curated")
    elif t.exists("documents") and t.exists("signals"):
        kept = t.read("signals").where(F.col("keep")).select("doc_id")
        df = t.read("documents").join(kept, "doc_id", "left_semi")
        log.info("seed: `curated` does not exist yet; sampling documents that curate kept")
    else:
        raise SeedError("seed needs `curated` (or `documents` + `signals`): run ingest, curate and dedup first")
    return df.select("doc_id", "content_hash", "text", "source")


def make_scorer(cfg: SeedConfig):
    """A ``texts -> perplexities`` function over the reference LM, or SeedError saying what is missing."""
    from native_align.lm.perplexity import load_reference_lm, perplexities
    from native_align.lm.reference import ReferenceModelUnavailable

    try:
        model, tokenizer = load_reference_lm(cfg.reference_lm)
    except (ReferenceModelUnavailable, ImportError) as exc:
        raise SeedError(f"seed.strategy=perplexity needs a reference LM: {exc}. Install 'native-align[ml,gemma]' "
                        f"or set seed.reference_lm, or use seed.strategy=random|stratified") from exc

    def score(texts):
        return perplexities(list(texts), model, tokenizer, cfg.ppl_batch_size, cfg.ppl_max_tokens)

    return score


def draw(df: DataFrame, cfg: SeedConfig, scorer=None) -> tuple[DataFrame, str]:
    """Apply the configured strategy; returns (sample, strategy label)."""
    df = sample.eligible(df, cfg.min_chars, cfg.max_chars)
    if cfg.strategy == "random":
        return sample.sample_random(df, cfg.size, cfg.seed), "random"
    if cfg.strategy == "stratified":
        return sample.sample_stratified(df, cfg.size, cfg.seed, cfg.stratify_by, cfg.allocation), "stratified"
    scorer = scorer or make_scorer(cfg)
    picked = sample.sample_perplexity(df, cfg.size, cfg.seed, scorer, cfg.ppl_mode, cfg.candidate_pool,
                                      cfg.quantiles)
    return picked, f"perplexity-{cfg.ppl_mode}"


def run(ctx: Context, scorer=None) -> dict[str, int]:
    """Stage runner: draw the seed and overwrite `seed`. ``scorer`` overrides the reference LM (tests)."""
    cfg = ctx.settings.seed
    source = seed_input(ctx)
    picked, label = draw(source, cfg, scorer)
    out = sample.to_seed_schema(picked, label, ctx.run_id)
    checkpoint("seed:before_commit")
    ctx.tables.overwrite("seed", out)
    checkpoint("seed:after_commit")
    seed = ctx.tables.read("seed")
    n = seed.count()
    strata = seed.select("stratum").distinct().count()
    log.info("seed: %d documents by %s (%d strata)", n, label, strata)
    if n < cfg.size:
        log.warning("seed: asked for %d documents, only %d eligible (min_chars=%d, max_chars=%d)",
                    cfg.size, n, cfg.min_chars, cfg.max_chars)
    return {"seed_docs": n, "seed_strata": strata}
