"""Every command of native-align in one place: the pipeline's stages in order, the tools, the evaluations.

A :class:`Stage` is a step of the pipeline (``native-align <name>``, ``jobs/<name>.py``, a notebook cell): its
runner takes a :class:`~native_align.context.Context` and returns its counts. A :class:`Tool` is a command with
options of its own (``main(argv) -> exit code``). The CLI, ``run``, the jobs and the notebooks all read this
registry; the imports are direct, so a stage that cannot be imported is an error at start-up, never a silent skip.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable

from native_align import status
from native_align.annotate.stage import run as annotate
from native_align.curate.stage import run as curate
from native_align.dedup.stage import run as dedup
from native_align.evaluation import dedup as eval_dedup
from native_align.evaluation import guardrails as eval_guardrails
from native_align.evaluation import lid as eval_lid
from native_align.evaluation import perplexity as eval_perplexity
from native_align.evaluation import pii as eval_pii
from native_align.evaluation import toxicity as eval_toxicity
from native_align.evaluation import web as eval_web
from native_align.evaluation import worker as eval_worker
from native_align.export.stage import run as export
from native_align.ingest.stage import run as ingest
from native_align.pairs.stage import run as pairs
from native_align.pii.stage import run as redact
from native_align.report.stage import run as report
from native_align.rewrite.stage import run as rewrite
from native_align.seed.stage import run as seed
from native_align.train import export_pairs, trainer

Runner = Callable[..., dict]


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline and the tables (or folder) it writes."""

    name: str
    run: Runner
    help: str
    writes: tuple[str, ...] = ()  # tables (or output folders) it writes: pipeline.run_stage locks them


@dataclass(frozen=True)
class Tool:
    """A command with options of its own; ``main(argv)`` returns the exit code."""

    name: str
    main: Callable[[list[str]], int]
    help: str


PIPELINE: tuple[Stage, ...] = (
    Stage("ingest", ingest, "raw corpora into `documents`; malformed records into `quarantine`",
          ("documents", "quarantine", "ingest_files")),
    Stage("curate", curate, "language ID and quality signals into `signals` (keep + reasons)", ("signals",)),
    Stage("dedup", dedup, "exact + MinHash LSH, survivors, boilerplate: `duplicates` and `curated`",
          ("duplicates", "curated")),
    Stage("redact", redact, "personal data in `curated` replaced by typed placeholders; counts per document in `pii`",
          ("curated", "pii")),
    Stage("seed", seed, "pick the seed documents for the alignment expert into `seed`", ("seed",)),
    Stage("annotate", annotate, "the alignment expert rewrites the seed into `seed_pairs`", ("seed_pairs",)),
    Stage("pairs", pairs, "training pairs without an expert: curated chunks and a noise model into `noise_pairs`",
          ("noise_pairs",)),
    Stage("rewrite", rewrite, "LLM alignment workers on Ray actors into `aligned`", ("aligned",)),
    Stage("report", report, "statistics, evaluation, HTML report", ("report",)),
    Stage("export", export, "training mix as sharded JSONL.gz / Parquet", ("export",)),
)

EVALUATIONS: tuple[Tool, ...] = (
    Tool("lid", eval_lid.main, "Arabic language ID on NTREX-128 and ArSarcasm-v2"),
    Tool("dedup", eval_dedup.main, "dedup precision / recall against exact Jaccard ground truth"),
    Tool("guardrails", eval_guardrails.main, "false rejects: clean targets judged as rewrites of their noisy sources"),
    Tool("toxicity", eval_toxicity.main, "toxicity scorers on MLMA"),
    Tool("pii", eval_pii.main, "PII detection: precision / recall per kind, SaudiNewsNet firings, speed"),
    Tool("perplexity", eval_perplexity.main, "reference-LM perplexity: news vs the same words shuffled"),
    Tool("web", eval_web.main, "WARC reading, charset decoding and main-text extraction on generated news pages"),
    Tool("worker", eval_worker.main, "a trained worker against its base model on held-out noise pairs"),
)


def evaluate(argv: list[str]) -> int:
    """``native-align eval <name> [options]``: one evaluation's ``main``."""
    names = [e.name for e in EVALUATIONS]
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in names:
        print("usage: native-align eval {" + ",".join(names) + "} [options]   (each has its own --help)\n"
              + "\n".join(f"  {e.name:<12}{e.help}" for e in EVALUATIONS), file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    return int(evaluation(argv[0]).main(argv[1:]) or 0)


TOOLS: tuple[Tool, ...] = (
    Tool("eval", evaluate, "evaluations: " + ", ".join(e.name for e in EVALUATIONS)),
    Tool("export-pairs", export_pairs.main, "write seed pairs as chat / alpaca JSONL"),
    Tool("train-worker", trainer.main, "fine-tune an alignment worker on seed pairs"),
    Tool("status", status.main, "what each stage has done and what is pending, and who holds a lock"),
)


def _find(items: tuple, name: str, kind: str):
    for item in items:
        if item.name == name:
            return item
    raise KeyError(f"unknown {kind} '{name}'; {kind}s: {', '.join(i.name for i in items)}")


def stage(name: str) -> Stage:
    return _find(PIPELINE, name, "stage")


def tool(name: str) -> Tool:
    return _find(TOOLS, name, "tool")


def evaluation(name: str) -> Tool:
    return _find(EVALUATIONS, name, "evaluation")


def stage_names() -> list[str]:
    return [s.name for s in PIPELINE]
