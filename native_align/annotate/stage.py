"""``native-align annotate``: the alignment expert rewrites the seed; writes the `seed_pairs` table.

Why it is built this way:
- `seed_pairs` is its own cache, keyed by (content_hash, prompt_version, model): a rerun sends no request for a
  document already annotated ``ok`` (or whose identical text was), retries ``failed`` ones while their cumulative
  attempts are below ``expert.max_total_attempts``, and picks up ``skipped_budget`` ones.
- Every seed document ends with exactly one row per (model, prompt version): ok, rejected (guardrail reasons),
  failed (the client's reason), or skipped_budget. This is checked before the stage returns.
- Results are merged every ``expert.write_every`` documents, so a crash loses at most one chunk of paid work.
- The budget cap is enforced before each request is sent (spent + in-flight estimates + this request's
  estimate); what is not sent is recorded as ``skipped_budget``, not lost.
- A stored rewrite is never replaced by a later failure: when the retry of a ``rejected`` (or ``ok``) document
  fails or is cut by the budget, the row keeps its rewrite and status, and the failure goes into ``reasons``
  (``retry failed: ...``) and the cumulative ``attempts``.
- ``model`` in seed_pairs is the configured name (``expert.model_alias`` or ``expert.model``), never what the
  server reports (llama.cpp reports its GGUF file path).
- The API key is read by the client from the env var named in config; nothing here ever sees it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Sequence

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from native_align import faults
from native_align.context import Context
from native_align.llm.client import ChatClient, ChatResult, estimate_tokens
from native_align.annotate.config import ExpertConfig
from native_align.annotate.schema import PAIR_KEYS, SEED_PAIRS_SCHEMA

log = logging.getLogger(__name__)

BUDGET_REASON = "budget_cap_reached"
RETRY_PREFIX = "retry "  # reasons added to a kept row when its retry failed ("retry failed: ...")


class AnnotationError(RuntimeError):
    """A seed document ended without a seed_pairs row (a bug, never an expected outcome)."""


# -- planning (DataFrame -> DataFrame) ----------------------------------------------------------------------------
def plan_annotation(seed: DataFrame, pairs: DataFrame, model: str, prompt_version: str,
                    max_total_attempts: int, retry_rejected: bool = False) -> DataFrame:
    """One row per seed doc with ``action``: done (row exists, final), copy (same content already ok under
    another doc_id: reuse its rewrite, no request), or request; plus the doc's prior counts for accumulation."""
    mine = pairs.where((F.col("model") == model) & (F.col("prompt_version") == prompt_version))
    own = mine.select(
        "doc_id", F.col("status").alias("own_status"), F.col("attempts").alias("own_attempts"),
        F.col("prompt_tokens").alias("own_prompt_tokens"), F.col("completion_tokens").alias("own_completion_tokens"),
        F.col("cost_usd").alias("own_cost"), F.col("rewrite").alias("own_rewrite"),
        F.col("reasons").alias("own_reasons"), F.col("finish_reason").alias("own_finish_reason"))
    w = Window.partitionBy("content_hash").orderBy("doc_id")
    cached = (mine.where(F.col("status") == "ok").withColumn("_r", F.row_number().over(w)).where("_r = 1")
              .select("content_hash", F.col("rewrite").alias("cached_rewrite"),
                      F.col("finish_reason").alias("cached_finish_reason")))
    plan = seed.select("doc_id", "content_hash", "text", "sample_key").join(own, "doc_id", "left") \
        .join(cached, "content_hash", "left")
    final_fail = (F.col("own_status") == "failed") & (F.col("own_attempts") >= F.lit(max_total_attempts))
    # rejected: final unless retry_rejected, and then only while its cumulative attempts allow
    final_rej = (F.col("own_status") == "rejected") & (F.lit(not retry_rejected)
                                                       | (F.col("own_attempts") >= F.lit(max_total_attempts)))
    action = (F.when(F.col("own_status") == "ok", "done")
              .when(F.col("cached_rewrite").isNotNull(), "copy")
              .when(final_fail | final_rej, "done")
              .otherwise("request"))
    return plan.withColumn("action", action)


# -- budget -------------------------------------------------------------------------------------------------------
@dataclass
class Budget:
    """Per-run cost cap: a request starts only if spent + in-flight estimates + its estimate fit the cap."""

    cap_usd: float | None
    price_in: float
    price_out: float
    max_tokens: int | None = None
    spent: float = 0.0
    reserved: float = 0.0
    exhausted: bool = False

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return prompt_tokens / 1e6 * self.price_in + completion_tokens / 1e6 * self.price_out

    def estimate(self, messages: Sequence[dict], text: str) -> float:
        prompt = estimate_tokens("".join(m["content"] for m in messages))
        # A polished doc is about as long as the original; the cap on output bounds it.
        completion = int(estimate_tokens(text) * 1.1) + 16
        if self.max_tokens:
            completion = min(completion, self.max_tokens)
        return self.cost(prompt, completion)

    def try_reserve(self, amount: float) -> bool:
        if self.cap_usd is None:
            return True
        if self.exhausted or self.spent + self.reserved + amount > self.cap_usd:
            self.exhausted = True  # once refused, refuse the rest: the cut is a prefix of the ordered work
            return False
        self.reserved += amount
        return True

    def settle(self, reserved: float, actual: float) -> None:
        self.reserved = max(0.0, self.reserved - reserved)
        self.spent += actual


# -- rows ---------------------------------------------------------------------------------------------------------
def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _outcome(w: dict, res: ChatResult, verdict: Any | None) -> tuple[str, list[str], str | None, str | None]:
    """(status, reasons, rewrite, finish_reason) of one doc after this run's request."""
    if res.ok and verdict is not None and not verdict.ok:
        return "rejected", list(verdict.reasons), res.text, res.finish_reason
    if res.ok:
        return "ok", [], res.text, res.finish_reason
    note = BUDGET_REASON if res.stopped else (res.error or "unknown error")
    if w.get("own_rewrite") is not None and w.get("own_status") in ("ok", "rejected"):
        # a stored rewrite outlives a failed retry; the failure is recorded beside it (the latest one only)
        kept = [r for r in (w.get("own_reasons") or []) if not r.startswith(RETRY_PREFIX)]
        why = f"{RETRY_PREFIX}{'skipped' if res.stopped else 'failed'}: {note}"
        return w["own_status"], kept + [why], w["own_rewrite"], w.get("own_finish_reason")
    if res.stopped:
        return "skipped_budget", [BUDGET_REASON], None, None
    return "failed", [note], None, res.finish_reason


def result_rows(work: list[dict], results: list[ChatResult], verdicts: list[Any | None], model: str,
                prompt_version: str, budget: Budget, run_id: str) -> list[tuple]:
    """seed_pairs rows for one chunk: counts accumulate over runs (prior + this run)."""
    rows = []
    for w, res, verdict in zip(work, results, verdicts):
        new_cost = budget.cost(res.prompt_tokens, res.completion_tokens)
        status, reasons, rewrite, finish = _outcome(w, res, verdict)
        rows.append((
            w["doc_id"], w["content_hash"], model, prompt_version, w["text"], rewrite, status, reasons,
            int((w["own_prompt_tokens"] or 0) + res.prompt_tokens),
            int((w["own_completion_tokens"] or 0) + res.completion_tokens),
            float((w["own_cost"] or 0.0) + new_cost),
            int((w["own_attempts"] or 0) + res.attempts),
            finish, _now(), run_id,
        ))
    return rows


def budget_warning(cfg: ExpertConfig) -> str | None:
    """Why the budget cap cannot work as configured, or None."""
    if cfg.budget_usd is not None and cfg.price_input_per_1m == 0 and cfg.price_output_per_1m == 0:
        return (f"expert.budget_usd is ${cfg.budget_usd:g} but expert.price_input_per_1m and "
                f"expert.price_output_per_1m are both 0, so every request costs $0 and the cap can never stop the "
                f"run: set the endpoint's prices (USD per 1M tokens) or drop budget_usd")
    return None


def copy_rows(copies: list[dict], model: str, prompt_version: str, run_id: str) -> list[tuple]:
    """Docs whose identical text was already polished: the cached rewrite, no request, no new cost."""
    return [(c["doc_id"], c["content_hash"], model, prompt_version, c["text"], c["cached_rewrite"], "ok", [],
             int(c["own_prompt_tokens"] or 0), int(c["own_completion_tokens"] or 0), float(c["own_cost"] or 0.0),
             int(c["own_attempts"] or 0), c["cached_finish_reason"], _now(), run_id) for c in copies]


# -- runner -------------------------------------------------------------------------------------------------------
def _limits(client: ChatClient) -> str:
    """The client's adaptive concurrency for progress lines."""
    lim = getattr(client, "concurrency", None)
    return f"concurrency limit {lim.current} (peak {lim.peak_in_flight} in flight)" if lim else ""


def _guardrail_verdicts(ctx: Context, prompt, originals: list[str], results: list[ChatResult]) -> list[Any | None]:
    from native_align.alignment.guardrails import check_rewrites

    idx = [i for i, r in enumerate(results) if r.ok]
    verdicts: list[Any | None] = [None] * len(results)
    if not idx:
        return verdicts
    checked = check_rewrites([originals[i] for i in idx], [results[i].text for i in idx],
                             ctx.settings.rewrite.guardrails,
                             finish_reasons=[results[i].finish_reason for i in idx], prompt=prompt)
    for i, v in zip(idx, checked):
        verdicts[i] = v
    return verdicts


def annotate_chunk(ctx: Context, client: ChatClient, prompt, work: list[dict], budget: Budget,
                   cfg: ExpertConfig) -> list[tuple]:
    """Send one chunk (respecting the budget), check guardrails, return its seed_pairs rows."""
    requests = [prompt.messages(w["text"], few_shot=cfg.few_shot) for w in work]
    reserved: dict[int, float] = {}

    def gate(i: int, messages) -> bool:
        amount = budget.estimate(messages, work[i]["text"])
        if budget.try_reserve(amount):
            reserved[i] = amount
            return True
        return False

    def on_result(i: int, res: ChatResult) -> None:
        if i in reserved:
            budget.settle(reserved.pop(i), budget.cost(res.prompt_tokens, res.completion_tokens))

    results = client.complete_many(requests, gate=gate, on_result=on_result)
    verdicts = _guardrail_verdicts(ctx, prompt, [w["text"] for w in work], results) if cfg.apply_guardrails \
        else [None] * len(work)
    return result_rows(work, results, verdicts, cfg.model_id, prompt.version, budget, ctx.run_id)


def run(ctx: Context, client: ChatClient | None = None) -> dict[str, int]:
    """Stage runner. Skips cleanly (``{"skipped": 1}``) when no expert endpoint is configured."""
    cfg = ctx.settings.expert
    if not cfg.base_url:
        log.info("annotate: skipped — expert.base_url is not set (configure an OpenAI-compatible endpoint, "
                 "e.g. --set expert.base_url=http://host:8000/v1, and the API key's env var expert.api_key_env)")
        return {"skipped": 1}
    from native_align.alignment.prompts import load_prompt

    prompt = load_prompt(cfg.prompt)
    client = client or ChatClient.from_config(cfg)
    model = cfg.model_id
    warning = budget_warning(cfg)
    if warning:
        log.warning("annotate: %s", warning)
    t = ctx.tables
    if not t.exists("seed"):
        raise FileNotFoundError("annotate needs the `seed` table: run `native-align seed` first")
    t.ensure("seed_pairs", SEED_PAIRS_SCHEMA)
    seed = t.read("seed")
    plan = plan_annotation(seed, t.read("seed_pairs"), model, prompt.version, cfg.max_total_attempts,
                           cfg.retry_rejected)
    rows = [r.asDict() for r in plan.orderBy("sample_key", "doc_id").collect()]
    todo = [r for r in rows if r["action"] == "request"]
    copies = [r for r in rows if r["action"] == "copy"]
    counts = {"seed_docs": len(rows), "cached": sum(r["action"] == "done" for r in rows), "copied": len(copies),
              "requested_docs": len(todo)}
    log.info("annotate: %d seed docs: %d already done, %d copied from identical text, %d to request "
             "(model %s, prompt %s)", len(rows), counts["cached"], len(copies), len(todo), model, prompt.version)
    if cfg.api_key_env and todo:
        import os

        if not os.environ.get(cfg.api_key_env):
            log.warning("annotate: environment variable %s is not set; requests go without an API key",
                        cfg.api_key_env)

    if copies:
        t.upsert("seed_pairs", ctx.spark.createDataFrame(copy_rows(copies, model, prompt.version, ctx.run_id),
                                                         SEED_PAIRS_SCHEMA), PAIR_KEYS)
    budget = Budget(cfg.budget_usd, cfg.price_input_per_1m, cfg.price_output_per_1m, cfg.max_tokens)
    tally = {"ok": 0, "rejected": 0, "failed": 0, "skipped_budget": 0}
    http = {"attempts": 0, "prompt_tokens": 0, "completion_tokens": 0}
    faults.checkpoint("annotate:before_commit")
    for start in range(0, len(todo), cfg.write_every):
        work = todo[start:start + cfg.write_every]
        chunk = annotate_chunk(ctx, client, prompt, work, budget, cfg)
        for w, row in zip(work, chunk):
            tally[row[6]] += 1
            http["attempts"] += row[11] - int(w["own_attempts"] or 0)
            http["prompt_tokens"] += row[8] - int(w["own_prompt_tokens"] or 0)
            http["completion_tokens"] += row[9] - int(w["own_completion_tokens"] or 0)
        t.upsert("seed_pairs", ctx.spark.createDataFrame(chunk, SEED_PAIRS_SCHEMA), PAIR_KEYS)
        faults.checkpoint("annotate:after_chunk")
        log.info("annotate: %d/%d requested docs done; spent $%.4f%s; %s", min(start + len(work), len(todo)),
                 len(todo), budget.spent, f" of ${cfg.budget_usd:.4f}" if cfg.budget_usd is not None else "",
                 _limits(client))
    if budget.exhausted:
        log.warning("annotate: budget cap $%.4f reached; %d docs recorded as skipped_budget (a rerun continues)",
                    cfg.budget_usd, tally["skipped_budget"])

    missing = seed.join(t.read("seed_pairs").where((F.col("model") == model)
                                                   & (F.col("prompt_version") == prompt.version)),
                        "doc_id", "left_anti").count()
    if missing:
        raise AnnotationError(f"{missing} seed documents have no seed_pairs row for {model}/{prompt.version}")
    counts.update({k: v for k, v in tally.items()})
    counts.update({"http_attempts": http["attempts"], "prompt_tokens": http["prompt_tokens"],
                   "completion_tokens": http["completion_tokens"], "cost_micro_usd": int(round(budget.spent * 1e6))})
    if todo and hasattr(client, "concurrency"):
        counts.update({"concurrency_limit": client.concurrency.current,
                       "peak_in_flight": client.concurrency.peak_in_flight})
    log.info("annotate: %s", counts)
    return counts
