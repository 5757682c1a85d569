"""What a Databricks user deploys: the Asset Bundle (validated by a JSON schema of the subset it uses, then checked
against the pipeline: one task per stage, in order, every file present) and the Unity Catalog set-up notebook."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from native_align.registry import stage_names

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO / "databricks.yml"
SCHEMA = Path(__file__).resolve().parent / "support" / "bundle_schema.json"


@pytest.fixture(scope="module")
def bundle() -> dict:
    return yaml.safe_load(BUNDLE.read_text(encoding="utf-8"))


def test_bundle_matches_the_schema(bundle):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(bundle), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)
    # the schema is closed: a misspelled key is an error, not ignored
    broken = json.loads(json.dumps(bundle))
    broken["resources"]["jobs"]["native_align_pipeline"]["tasks"][1]["spark_python_tsk"] = {}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(broken))


def test_bundle_runs_every_stage_in_order(bundle):
    job = bundle["resources"]["jobs"]["native_align_pipeline"]
    tasks = job["tasks"]
    keys = [t["task_key"] for t in tasks]
    # every pipeline stage, in the registry's order, with set-up and worker training where they belong
    stages = [k for k in keys if k in stage_names()]
    assert stages == stage_names()
    assert keys[0] == "unity_catalog" and keys.index("export_pairs") < keys.index("train_worker") < keys.index(
        "rewrite")
    # a chain: each task waits for the one before it, and nothing else
    assert "depends_on" not in tasks[0]
    for before, task in zip(tasks, tasks[1:]):
        assert task["depends_on"] == [{"task_key": before["task_key"]}], task["task_key"]
    clusters = {c["job_cluster_key"]: c["new_cluster"] for c in job["job_clusters"]}
    for task in tasks:
        assert task["job_cluster_key"] in clusters
        assert task["libraries"] == [{"whl": "./dist/*.whl"}]
        if "spark_python_task" in task:
            assert (REPO / task["spark_python_task"]["python_file"]).is_file(), task["task_key"]
            assert "databricks" in task["spark_python_task"]["parameters"]
        else:
            assert (REPO / task["notebook_task"]["notebook_path"]).is_file(), task["task_key"]
    # ingest reaches Hadoop's FileSystem through the JVM: only dedicated (single user) clusters allow that
    assert {c["data_security_mode"] for c in clusters.values()} == {"SINGLE_USER"}
    gpu = {t["task_key"]: clusters[t["job_cluster_key"]]["spark_version"] for t in tasks}
    variables = {k: str(v["default"]) for k, v in bundle["variables"].items()}
    assert variables["spark_version"].startswith("18.") and "-gpu-ml-" in variables["gpu_spark_version"]
    assert gpu["train_worker"] == gpu["rewrite"] == "${var.gpu_spark_version}"


class FakeWidgets:
    def __init__(self, values: dict[str, str]):
        self.values = dict(values)

    def text(self, name: str, default: str, label: str = "") -> None:
        self.values.setdefault(name, default)

    def dropdown(self, name: str, default: str, choices: list[str], label: str = "") -> None:
        assert default in choices
        self.values.setdefault(name, default)

    def get(self, name: str) -> str:
        return self.values[name]


def _run_notebook(path: Path, values: dict[str, str]) -> list[str]:
    sql: list[str] = []
    scope = {"dbutils": SimpleNamespace(widgets=FakeWidgets(values)), "spark": SimpleNamespace(sql=sql.append)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), scope)  # noqa: S102  (our own notebook)
    return sql


def test_unity_catalog_notebook_creates_schema_volumes_and_a_valid_run_config(tmp_path):
    from native_align.settings import load_settings

    config = tmp_path / "run.yaml"
    values = {"catalog": "lake", "schema": "arabic", "source": "s3://corpus-bucket/ar/", "config_path": str(config)}
    sql = _run_notebook(REPO / "notebooks" / "00_unity_catalog.py", values)
    assert sql[0].startswith("CREATE SCHEMA IF NOT EXISTS `lake`.`arabic`")
    volumes = {s.rsplit("`.`", 1)[1].rstrip("`") for s in sql[1:]}
    assert all(s.startswith("CREATE VOLUME IF NOT EXISTS `lake`.`arabic`.") for s in sql[1:])
    assert volumes >= {"staging", "checkpoints", "pairs", "models", "report", "export", "config"}

    settings = load_settings("databricks", config)
    assert settings.tables.mode == "catalog" and settings.tables.catalog_prefix == "lake.arabic"
    assert settings.tables.staging_root == "/Volumes/lake/arabic/staging"
    assert settings.ingest.sources[0].path == "s3://corpus-bucket/ar/"
    assert settings.ingest.sources[0].format == "parquet"
    assert settings.train.output_dir == settings.rewrite.transformers.model == "/Volumes/lake/arabic/models/worker"
    assert settings.dedup.checkpoint == "reliable"  # from the databricks profile, not hard-coded in a notebook

    config.write_text(config.read_text(encoding="utf-8") + "seed:\n  size: 5000\n", encoding="utf-8")
    _run_notebook(REPO / "notebooks" / "00_unity_catalog.py", values)  # a rerun keeps the user's edits
    assert load_settings("databricks", config).seed.size == 5000

    with pytest.raises(ValueError, match="plain identifiers"):
        _run_notebook(REPO / "notebooks" / "00_unity_catalog.py", {**values, "schema": "x; DROP"})


def test_no_notebook_hard_codes_the_checkpoint_mode():
    for path in sorted((REPO / "notebooks").glob("*.py")):
        assert "dedup.checkpoint=" not in path.read_text(encoding="utf-8"), path.name
