"""Shared by the training tests: a short prompt template and a pairs folder in export-pairs' format."""

from __future__ import annotations

import json

import pytest

from native_align.alignment.prompts import parse_prompt
from native_align.train.export_pairs import chat_record
from tests.support.corpus import make_docs
from tests.support.openai_server import clean_rewrite

# A short template keeps the tiny model's sequences (and the CPU test) small; the real one is ~1000 tokens.
SHORT_PROMPT = """name: short_test
system: |
  حرر النص.
user: |
  <text>
  {text}
  </text>
"""


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    from tests.support.tiny_lm import build_tiny_lm

    return build_tiny_lm(tmp_path_factory.mktemp("tiny-lm"))


@pytest.fixture(scope="module")
def prompt():
    return parse_prompt(SHORT_PROMPT)


@pytest.fixture(scope="module")
def pairs_dir(tmp_path_factory, prompt):
    """chat JSONL in export-pairs' format: crafted docs and the test server's deterministic 'rewrite'."""
    out = tmp_path_factory.mktemp("pairs")
    (out / "chat").mkdir()
    (out / "prompt.yaml").write_text(SHORT_PROMPT, encoding="utf-8")  # as export-pairs writes them
    (out / "manifest.json").write_text(json.dumps({"few_shot": False}), encoding="utf-8")
    for split, docs in (("train", make_docs(12, seed=5)), ("validation", make_docs(2, seed=6))):
        with open(out / "chat" / f"{split}.jsonl", "w", encoding="utf-8") as fh:
            for d in docs:
                # shorter originals: the first two sentences (+ an ad line the rewrite drops)
                original = "\n".join(d["text"].splitlines()[:2] + ["اتصل الآن 0501234567"])
                row = {"doc_id": d["doc_id"], "original": original,
                       "rewrite": clean_rewrite(prompt.messages(original)), "prompt_version": prompt.version,
                       "model": "expert"}
                fh.write(json.dumps(chat_record(prompt, row), ensure_ascii=False) + "\n")
    return out
