"""The notebooks' shared preamble: widgets and the context built from them (no Databricks, no Spark needed)."""

from __future__ import annotations

from types import SimpleNamespace

from native_align import notebook
from native_align.context import Context


class FakeWidgets:
    """The part of ``dbutils.widgets`` the helper uses."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def text(self, name: str, default: str, label: str = "") -> None:
        self.values.setdefault(name, default)

    def get(self, name: str) -> str:
        return self.values[name]


def test_free_form_overrides_win_over_the_notebooks_own(monkeypatch):
    dbutils = SimpleNamespace(widgets=FakeWidgets())
    notebook.settings_widgets(dbutils)
    assert dbutils.widgets.get("profile") == "databricks"
    dbutils.widgets.values.update(profile="local", overrides="dedup.threshold=0.9\n\n  dedup.verify=false \n")
    monkeypatch.setattr(Context, "create", classmethod(lambda cls, settings, spark=None: (settings, spark)))

    settings, spark = notebook.notebook_context("the-session", dbutils, ["dedup.threshold=0.7"])
    assert spark == "the-session"
    assert settings.dedup.threshold == 0.9 and settings.dedup.verify is False
