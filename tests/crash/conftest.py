"""The crash suite's world: a tiny corpus, settings for every stage (the expert and the rewrite against a local
OpenAI-compatible server, Ray from tests/rewrite), a clean run's tables stage by stage, and a driver to run one
CLI command in a fresh process (where a SIGKILL can land)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.rewrite.conftest import ray_local  # noqa: F401  (the session's Ray, for rewrite)

NEWS = [
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة {city}، وذلك ضمن خطة لتطوير الخدمات الطبية في المملكة.",
    "وقال المتحدث باسم الوزارة إن المستشفى يضم أكثر من {n} سرير، وسيعمل على تقديم الرعاية للمرضى من مختلف المناطق.",
    "وأضاف أن العمل في المشروع بدأ قبل {k} سنوات، وأن الوزارة حرصت على تجهيزه بأحدث الأجهزة الطبية الحديثة.",
    "كما أشار إلى أن المشروع سيوفر فرص عمل للشباب في مجالات التمريض والإدارة والخدمات الفنية المختلفة.",
    "وتأتي هذه الخطوة بعد أن شهدت مدينة {city} زيادة كبيرة في عدد السكان خلال السنوات الماضية.",
    "وشهد مهرجان الكتاب السنوي في {city} حضور {n} ألف زائر من مختلف المدن والمحافظات القريبة والبعيدة.",
    "وأكدت الجامعة أن عدد الطلاب المسجلين في البرامج الجديدة بلغ {n} طالبا وطالبة في العام الدراسي الحالي.",
    "وتوقعت هيئة الأرصاد هطول أمطار غزيرة على المناطق الجنوبية حتى نهاية الأسبوع مع انخفاض في درجات الحرارة.",
    "وافتتح أمير المنطقة مشروع الطرق الجديد الذي يربط مدينة {city} بالمطار الدولي وبالمناطق الصناعية.",
    "وأوضح التقرير أن قطاع الطاقة المتجددة يشهد نموا متسارعا منذ عام {y} بفضل الاستثمارات الحكومية الكبيرة.",
]
CITIES = ["الرياض", "جدة", "الدمام", "مكة", "المدينة", "تبوك", "أبها", "الطائف", "حائل", "نجران", "جازان", "القصيم"]


def news_doc(i: int) -> str:
    """A distinct Arabic news text (6-8 sentences drawn by ``i``) that curate keeps."""
    rng = random.Random(i)
    picks = rng.sample(range(len(NEWS)), rng.randint(6, 8))
    lines = [NEWS[p].format(city=CITIES[(i + p) % len(CITIES)], n=rng.randint(120, 990), k=rng.randint(2, 9),
                            y=rng.randint(2001, 2019)) for p in picks]
    return " ".join(lines[:3]) + "\n" + " ".join(lines[3:]) + f"\nوهذا هو الخبر رقم {i + 1} في السلسلة."


def corpus_lines(ids: range, dup_of: int | None = None, bad: bool = True) -> list[str]:
    """JSONL lines: one news document per id, optionally a copy of an earlier one (dedup), an English line
    (curate rejects it) and a broken line (quarantine)."""
    lines = [json.dumps({"id": f"n{i}", "text": news_doc(i)}, ensure_ascii=False) for i in ids]
    if dup_of is not None:
        lines.append(json.dumps({"id": f"copy{dup_of}", "text": news_doc(dup_of)}, ensure_ascii=False))
    if bad:
        lines.append(json.dumps({"id": f"en{ids[0]}", "text": "The weather will be sunny with light winds all "
                                 "week across the northern regions, forecasters said on Monday."}))
        lines.append('{"id": "broken' + str(ids[0]) + '", "text": ')
    return lines


def write_corpus(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def crash_conf(root: Path, corpus: Path, server_url: str | None = None, ray_address: str | None = None) -> dict:
    """Settings of one world under ``root`` (the CLI's YAML and build_settings take the same dict)."""
    conf = {
        "spark": {"master": "local[1]", "shuffle_partitions": 2, "driver_memory": "1g",
                  "local_dir": str(root / "spark-local")},
        "tables": {"root": str(root / "tables"), "staging_root": str(root / "staging"),
                   "checkpoint_dir": str(root / "checkpoints")},
        "ingest": {"sources": [{"name": "news", "path": str(corpus), "id_field": "id"}]},
        "seed": {"size": 3, "strategy": "random"},
        "export": {"output_dir": str(root / "export"), "mix": "hybrid", "aligned_ratio": 0.5, "shard_bytes": 4096},
        "report": {"output_dir": str(root / "report")},
    }
    if server_url:
        conf["expert"] = {"base_url": server_url, "model": "expert-test", "api_key_env": "NA_CRASH_KEY",
                          "write_every": 1, "backoff_base_s": 0.01, "timeout_s": 30}
        conf["rewrite"] = {"engine": "openai", "work_files": 1, "chat_few_shot": False, "slice_docs": 2, "limit": 4,
                           "openai": {"base_url": server_url, "model": "rewriter-x", "api_key_env": "NA_CRASH_KEY",
                                      "timeout_s": 30, "max_attempts": 3, "backoff_base_s": 0.01,
                                      "backoff_max_s": 0.02},
                           "ray": {"address": ray_address, "actors": 1, "num_cpus_per_actor": 0.5, "batch_size": 1,
                                   "show_progress": False}}
    return conf


def context(spark, conf: dict):
    from native_align.context import Context
    from native_align.settings import build_settings

    return Context.create(build_settings(conf), spark=spark)


def cli(root: Path, conf: dict, *command: str, env: dict | None = None, timeout: int = 1500):
    """``native-align <command> --config <root>/conf.yaml`` in a fresh process (its own session: a kill point
    takes its JVM too); the finished process."""
    cfg = root / "conf.yaml"
    cfg.write_text(yaml.safe_dump(conf, allow_unicode=True), encoding="utf-8")
    full = {k: v for k, v in os.environ.items() if not k.startswith("NATIVE_ALIGN_")}
    full.update({"SPARK_LOCAL_IP": "127.0.0.1", "RAY_AUTH_MODE": "disabled", "PYTHONPATH": str(REPO),
                 **(env or {})})
    return subprocess.run([sys.executable, "-m", "native_align.cli", *command, "--config", str(cfg)], cwd=root,
                          env=full, capture_output=True, text=True, timeout=timeout, start_new_session=True)


REPO = Path(__file__).resolve().parent.parent.parent

# Columns that differ between two runs that did the same work: run ids and wall-clock times.
VOLATILE = {"run_id", "ingested_at", "quarantined_at", "created_at", "annotated_at", "redacted_at", "recorded_at"}
KEYS = {"documents": ["doc_id"], "quarantine": ["record_key"], "ingest_files": ["source", "source_file"],
        "signals": ["doc_id"], "duplicates": ["doc_id"], "curated": ["doc_id"], "pii": ["doc_id"],
        "seed": ["doc_id"], "seed_pairs": ["doc_id", "model", "prompt_version"],
        "aligned": ["doc_id", "model", "prompt_version"]}


def table_rows(tables, name: str) -> list[tuple]:
    """A table's rows without volatile columns, sorted: what two equivalent runs must agree on."""
    df = tables.read(name)
    cols = sorted(c for c in df.columns if c not in VOLATILE)
    return sorted((tuple(repr(r[c]) for c in cols) for r in df.select(*cols).collect()))


def duplicate_keys(tables, name: str) -> int:
    return tables.read(name).groupBy(*KEYS[name]).count().where("count > 1").count()


def export_files(folder: Path) -> dict[str, object]:
    """The export's shards (bytes) and manifest (without its per-run fields)."""
    from native_align.export.manifest import PER_RUN_FIELDS, PER_RUN_SHARD_FIELDS

    out: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            out[str(path.relative_to(folder))] = path.read_bytes()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["shards"] = [{k: v for k, v in s.items() if k not in PER_RUN_SHARD_FIELDS} for s in manifest["shards"]]
    out["manifest.json"] = {k: v for k, v in manifest.items() if k not in PER_RUN_FIELDS}
    return out


class CleanRun:
    """A clean run's state before and after each stage: snapshots of the tables (and export) folder, made once
    per session and stage on demand."""

    ORDER = ("ingest", "curate", "dedup", "redact", "seed", "annotate", "rewrite", "export")

    def __init__(self, spark, base: Path, server_url: str | None, ray_address: str | None):
        self.spark, self.base = spark, base
        self.corpus = base / "corpus"
        write_corpus(self.corpus, "part-0.jsonl", corpus_lines(range(0, 8), dup_of=2))
        self.server_url, self.ray_address = server_url, ray_address
        self.live = base / "live"
        self.done: list[str] = []

    def conf(self, root: Path) -> dict:
        return crash_conf(root, self.corpus, self.server_url, self.ray_address)

    def snapshot(self, after: str | None) -> Path:
        """The folder holding the clean tables after ``after`` (None: before ingest)."""
        from native_align.pipeline import run_stage

        if after is None:
            return self.base / "empty"
        for stage in self.ORDER[: self.ORDER.index(after) + 1]:
            if stage in self.done:
                continue
            run_stage(context(self.spark, self.conf(self.live)), stage)
            shutil.copytree(self.live, self.base / f"after-{stage}", ignore=shutil.ignore_patterns("spark-local"))
            self.done.append(stage)
        return self.base / f"after-{after}"

    def before(self, stage: str) -> Path:
        i = self.ORDER.index(stage)
        return self.snapshot(self.ORDER[i - 1] if i else None)

    def world(self, stage: str, root: Path) -> Path:
        """A copy of the clean state before ``stage`` at ``root``."""
        src = self.before(stage)
        if src.exists():
            shutil.copytree(src, root, dirs_exist_ok=True)
        root.mkdir(parents=True, exist_ok=True)
        return root


@pytest.fixture(scope="session")
def llm_server():
    from tests.support.openai_server import OpenAIServer

    with OpenAIServer() as server:
        yield server


@pytest.fixture(scope="session")
def clean_run(spark, tmp_path_factory):
    """The clean run of ingest, curate and dedup (what the default kill points need; no Ray, no server)."""
    return CleanRun(spark, tmp_path_factory.mktemp("clean"), None, None)


@pytest.fixture(scope="session")
def full_clean_run(spark, tmp_path_factory, llm_server, ray_local):  # noqa: F811
    """The clean run of every stage the full matrix kills, the expert and the rewrite against the local server."""
    return CleanRun(spark, tmp_path_factory.mktemp("clean-full"), llm_server.base_url,
                    ray_local.get_runtime_context().gcs_address)
