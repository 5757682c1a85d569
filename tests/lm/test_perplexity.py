"""Perplexity under a reference LM: plumbing with the tiny LM (fast), ranking with real Gemma (slow)."""

from __future__ import annotations

import math
import random

import pytest

pytest.importorskip("torch")

from native_align.lm.perplexity import load_reference_lm, perplexities  # noqa: E402
from native_align.lm.reference import gemma_available  # noqa: E402

NEWS = ("قال وزير المالية إن الحكومة ستعلن عن ميزانية العام المقبل خلال الأسبوع القادم، مشيرا إلى أن الإيرادات "
        "ارتفعت بنسبة كبيرة مقارنة بالعام الماضي بفضل نمو القطاعات غير النفطية.")


def scrambled(text: str, seed: int = 0) -> str:
    words = text.split()
    random.Random(seed).shuffle(words)
    return " ".join(words)


def test_tiny_lm_plumbing_is_deterministic(tmp_path):
    from tests.support.tiny_lm import build_tiny_lm

    model, tok = load_reference_lm(build_tiny_lm(tmp_path / "tiny"))
    assert load_reference_lm(str(tmp_path / "tiny"))[0] is model  # cached per process
    texts = [NEWS, scrambled(NEWS), "", "في", NEWS[:40]]
    batched = perplexities(texts, model, tok, batch_size=4, max_tokens=64)
    single = [perplexities([t], model, tok, batch_size=1, max_tokens=64)[0] for t in texts]
    assert math.isnan(batched[2]) and math.isnan(single[2])
    for x, y in zip(batched, single):
        assert (math.isnan(x) and math.isnan(y)) or abs(x - y) / y < 1e-3
    assert all(x > 1 for x in batched if not math.isnan(x))
    assert perplexities(texts, model, tok, batch_size=4, max_tokens=64)[:2] == batched[:2]


@pytest.mark.slow
@pytest.mark.skipif(not gemma_available(), reason="Gemma 3 270M GGUF packages not installed")
def test_gemma_ranks_scrambled_text_higher():
    model, tok = load_reference_lm()
    ordered, mixed = perplexities([NEWS, scrambled(NEWS, 1)], model, tok, batch_size=2)
    assert ordered < 50 and mixed > 5 * ordered, (ordered, mixed)
