"""What the Databricks notebooks share: the settings widgets and the context built from them.

Every notebook has the same three widgets (profile, an optional config file, free-form ``section.key=value``
overrides) so a setting no widget names can still be changed, and uses the notebook's own ``spark`` session.
A notebook adds widgets of its own and turns them into overrides; the free-form lines come last so they win.
"""

from __future__ import annotations

from typing import Any, Iterable

from native_align.context import Context
from native_align.settings import load_settings


def settings_widgets(dbutils: Any, profile: str = "databricks") -> None:
    """Create the profile / config / overrides widgets (before the notebook's own ones, so they come first)."""
    dbutils.widgets.text("profile", profile, "profile")
    dbutils.widgets.text("config", "", "config file (optional)")
    dbutils.widgets.text("overrides", "", "overrides, one section.key=value per line")


def override_lines(text: str) -> list[str]:
    """The overrides widget's value: one ``section.key=value`` a line, blank lines ignored."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def notebook_context(spark: Any, dbutils: Any, overrides: Iterable[str] = ()) -> Context:
    """Settings from the widgets with the notebook's ``overrides`` under the free-form ones, on its session."""
    w = dbutils.widgets
    settings = load_settings(w.get("profile"), w.get("config") or None,
                             [*overrides, *override_lines(w.get("overrides"))])
    return Context.create(settings, spark=spark)
