"""Prompt templates: versioning by content, both prompt forms, one copy of each bundled template."""

from __future__ import annotations

from pathlib import Path

import pytest

from native_align.config import PACKAGE_CONF_DIR, REPO_CONF_DIR
from native_align.alignment.prompts import load_prompt, parse_prompt

DOC = "أعلنت الوزارة عن {مشروع} جديد في عام 2024."


def test_polish_v1_loads_with_versioned_name():
    p = load_prompt("polish_v1")
    assert p.name == "polish_v1"
    assert p.version.startswith("polish_v1-") and len(p.version) == len("polish_v1-") + 8
    assert len(p.few_shot) >= 2


def test_version_changes_with_the_wording(tmp_path):
    text = (PACKAGE_CONF_DIR / "prompts" / "polish_v1.yaml").read_text(encoding="utf-8")
    a = parse_prompt(text)
    b = parse_prompt(text.replace("محرر لغوي", "محرر"))
    assert a.version != b.version
    assert parse_prompt(text).version == a.version


def test_messages_are_chat_turns_with_the_document_last():
    p = load_prompt()
    msgs = p.messages(DOC)
    assert msgs[0]["role"] == "system"
    assert [m["role"] for m in msgs[1:-1]] == ["user", "assistant"] * len(p.few_shot)
    assert msgs[-1]["role"] == "user" and DOC in msgs[-1]["content"]  # braces survive (no str.format)
    assert "<text>" in msgs[-1]["content"]


def test_completion_prompt_ends_at_the_rewrite_label():
    p = load_prompt()
    prompt = p.completion_prompt(DOC)
    assert prompt.rstrip().endswith(p.rewrite_label)
    assert prompt.count(p.original_label) == len(p.few_shot) + 1
    assert DOC in prompt


def test_clean_output_cuts_at_stop_and_strips_fences():
    p = load_prompt()
    raw = "<text>\nنص محسن.\n</text>\n###\nالنص الأصلي:\nشيء آخر"
    assert p.clean_output(raw) == "نص محسن."


def test_bundled_templates_are_packaged_and_not_copied_into_conf():
    """One source of truth: a copy in conf/prompts would shadow the packaged template and drift from it."""
    packaged = {p.name for p in (PACKAGE_CONF_DIR / "prompts").glob("*.yaml")}
    assert "polish_v1.yaml" in packaged
    assert load_prompt("polish_v1").source == str(PACKAGE_CONF_DIR / "prompts" / "polish_v1.yaml")
    assert not packaged & {p.name for p in (REPO_CONF_DIR / "prompts").glob("*.y*ml")}


def test_prompt_by_path_and_missing_name(tmp_path):
    src = (PACKAGE_CONF_DIR / "prompts" / "polish_v1.yaml").read_text(encoding="utf-8")
    f = tmp_path / "custom.yaml"
    f.write_text(src.replace("name: polish_v1", "name: custom"), encoding="utf-8")
    assert load_prompt(str(f)).name == "custom"
    with pytest.raises(FileNotFoundError):
        load_prompt("no_such_prompt")
