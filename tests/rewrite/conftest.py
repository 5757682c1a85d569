"""Fixtures of the rewrite tests: one local Ray for the session, a curated table builder, rewrite settings."""

from __future__ import annotations

import os

import pytest

from tests.conftest import REPO

AR_PARAS = [
    "أعلنت وزارة الصحة اليوم عن افتتاح 3 مستشفيات جديدة في منطقة الرياض بسعة 450 سريرا.",
    "وقال المتحدث الرسمي إن المشاريع ستكتمل في عام 2025 بتكلفة تبلغ 1,200 مليون ريال.",
    "وأوضح أن الوزارة تعمل مع الجامعات لتدريب الأطباء والممرضين في المدن الصغيرة.",
    "وأشار إلى أن عدد الزوار في المهرجان السنوي بلغ 12 ألف زائر هذا العام.",
    "وتشهد الأسواق ارتفاعا في أسعار النفط بعد قرار خفض الإنتاج في الخليج العربي.",
]


def make_docs(n: int, long_every: int = 0) -> list[tuple[str, str]]:
    """(doc_id, text): short multi-paragraph Arabic documents; every ``long_every``-th one is long."""
    docs = []
    for i in range(n):
        paras = [AR_PARAS[(i + k) % len(AR_PARAS)] for k in range(2 + i % 3)]
        if long_every and i % long_every == 0:
            paras = [f"{p} الفقرة {k}." for k, p in enumerate(AR_PARAS * 4)]
        docs.append((f"doc-{i:03d}", "\n".join(paras)))
    return docs


def write_curated(ctx, docs: list[tuple[str, str]]) -> None:
    """A `curated` table with the contract's columns (the rewrite reads doc_id and text)."""
    from pyspark.sql import functions as F

    df = ctx.spark.createDataFrame(docs, "doc_id string, text string")
    df = (df.withColumn("source", F.lit("test")).withColumn("url", F.lit(None).cast("string"))
          .withColumn("title", F.lit(None).cast("string")).withColumn("date", F.lit(None).cast("string"))
          .withColumn("content_hash", F.sha1("text")).withColumn("n_chars", F.length("text"))
          .withColumn("lang", F.lit("ar")).withColumn("quality_score", F.lit(1.0))
          .withColumn("boilerplate_lines_removed", F.lit(0)))
    ctx.tables.overwrite("curated", df)


@pytest.fixture(scope="session")
def ray_local():
    """A real local Ray: 2 CPUs, 1 *logical* GPU (so num_gpus plumbing is exercised without hanging), no
    dashboard; workers get the repo on PYTHONPATH so test engines (tests.rewrite.crash_engine) import."""
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    started = False
    if not ray.is_initialized():
        ray.init(num_cpus=2, num_gpus=1, include_dashboard=False, log_to_driver=True,
                 runtime_env={"env_vars": {"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1",
                                           "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}})
        started = True
    yield ray
    if started:
        ray.shutdown()


@pytest.fixture
def rewrite_settings(settings, tiny_lm):
    """Settings whose rewrite runs the tiny LM on CPU with small token caps (fast, real)."""
    from native_align.rewrite.config import RewriteConfig

    settings.rewrite = RewriteConfig.model_validate({
        "engine": "transformers",
        "work_files": 3,
        "chat_few_shot": False,
        "max_piece_tokens": 150,
        "transformers": {"model": tiny_lm, "device": "cpu", "max_new_tokens_cap": 12, "min_new_tokens_cap": 4,
                         "batch_size": 4, "do_sample": True, "context_length": 1024},
        "ray": {"actors": 1, "num_cpus_per_actor": 0.5, "batch_size": 8, "show_progress": False},
    })
    return settings
