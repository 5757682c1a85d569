"""ModerationConfig validation and make_scorer selection."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from native_align.moderation.classifier import ClassifierScorer
from native_align.moderation.client import ApiScorer
from native_align.moderation.config import ModerationConfig, make_scorer
from native_align.moderation.lexicon import LexiconScorer


def test_default_is_the_packaged_lexicon():
    scorer = make_scorer()
    assert isinstance(scorer, LexiconScorer) and scorer.name == "lexicon"
    assert scorer.lexicon.source.endswith("lexicon_ar.tsv")


def test_lexicon_path_and_thresholds(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("كلمة\n", encoding="utf-8")
    scorer = make_scorer(ModerationConfig(lexicon_path=str(path), thresholds={"profanity": 0.7}))
    assert len(scorer.lexicon) == 1 and scorer.thresholds["profanity"] == 0.7
    assert [r.flagged for r in scorer.score(["كلمة", "كلمة كلمة"])] == [False, True]


def test_classifier_keeps_its_defaults_unless_overridden():
    scorer = make_scorer(ModerationConfig(scorer="classifier", window_words=16, thresholds={"insult_group": 0.6}))
    assert isinstance(scorer, ClassifierScorer) and scorer.window_words == 16
    assert scorer.thresholds["profanity"] == 0.9 and scorer.thresholds["insult_group"] == 0.6


def test_api_needs_an_endpoint(tmp_path):
    with pytest.raises(ValueError, match="base_url"):
        make_scorer(ModerationConfig(scorer="api"))
    cfg = ModerationConfig(scorer="api", cache_dir=str(tmp_path / "c"),
                           endpoint={"base_url": "http://127.0.0.1:9/v1", "mode": "judge"})
    scorer = make_scorer(cfg)
    assert isinstance(scorer, ApiScorer) and scorer.mode == "judge:rubric-v1"
    assert (tmp_path / "c" / "moderation.sqlite").is_file()


@pytest.mark.parametrize("bad", [
    {"scorer": "regex"}, {"thresholds": {"toxicity": 0.5}}, {"thresholds": {"threat": 1.5}},
    {"lexicon": "x.tsv"}, {"endpoint": {"mode": "chat"}}, {"endpoint": {"api_key": "sk-..."}},
    {"endpoint": {"category_map": {"hate": ["slurs"]}}},
])
def test_bad_settings_fail_loudly(bad):
    if "category_map" in bad.get("endpoint", {}):  # a valid shape, refused when the scorer is built
        with pytest.raises(ValueError, match="unknown categories"):
            make_scorer(ModerationConfig(scorer="api", cache_dir=None,
                                         endpoint={"base_url": "http://127.0.0.1:9/v1", **bad["endpoint"]}))
        return
    with pytest.raises(ValidationError):
        ModerationConfig(**bad)
