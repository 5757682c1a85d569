from __future__ import annotations

import pytest
from pydantic import ValidationError

from native_align.pairs.config import DAMAGE_KINDS, PairsConfig
from native_align.pairs.noise.model import NoiseModel


def test_defaults_fit_the_cpu_budget():
    cfg = PairsConfig()
    assert (cfg.chunk.min_tokens, cfg.chunk.max_tokens) == (64, 160)
    # target + noise + target-sized rewrite + a short instruction stay within ~400 tokens
    assert 2 * cfg.chunk.max_tokens + cfg.noise.max_added_tokens <= 400
    assert 0 < cfg.clean_fraction < 0.5 and 0 < cfg.heldout_fraction < 0.5
    assert cfg.noise.formatting.kinds == list(DAMAGE_KINDS)


def test_unknown_keys_fail_and_nested_overrides_apply():
    with pytest.raises(ValidationError):
        PairsConfig(noise={"ads": {"probabilty": 0.5}})
    with pytest.raises(ValidationError):
        PairsConfig(noise={"ads": {"probability": 1.5}})
    cfg = PairsConfig(noise={"ads": {"probability": 0.0, "max_insertions": 1}})
    assert cfg.noise.ads.probability == 0.0 and cfg.noise.ads.max_insertions == 1
    assert cfg.noise.contacts.probability == PairsConfig().noise.contacts.probability


def test_template_ids_unique_and_a_quarter_held_out_in_every_family():
    model = NoiseModel()
    seen: set[str] = set()
    for family in model.families:
        templates = family.all_templates()
        ids = [t.id for t in templates]
        assert len(ids) == len(set(ids)), family.name
        assert not seen & set(ids)
        seen |= set(ids)
        assert all(i.startswith(family.name + ".") or i.split(".")[0] in {"phone", "email", "url", "handle"}
                   for i in ids)
        phrases = family.templates
        share = sum(t.held_out for t in phrases) / len(phrases)
        assert 0.15 <= share <= 0.4, (family.name, share)
        # both splits can realise every kind of template (repeats: each placement is its own kind)
        for kind in {t.kind for t in phrases} if family.name != "repeats" else ():
            assert any(t.held_out for t in phrases if t.kind == kind), (family.name, kind)
            assert any(not t.held_out for t in phrases if t.kind == kind), (family.name, kind)
