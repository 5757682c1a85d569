"""The synthetic generator and ``native-align eval pii``."""

from __future__ import annotations

import pytest

from native_align.evaluation.pii import main, score
from native_align.pii.checksums import iban_valid, luhn_valid
from native_align.pii.detectors.national_id import is_egypt_id
from native_align.pii.synthetic import PiiGenerator, build_documents
from native_align.pii.text import fold_digits


def compact(value: str) -> str:
    return "".join(c for c in fold_digits(value) if c.isalnum())


def test_generated_values_are_valid_and_invalid_on_demand():
    gen = PiiGenerator(3)
    for _ in range(200):
        assert iban_valid(compact(gen.iban()[0])) and not iban_valid(compact(gen.iban(valid=False)[0]))
        assert luhn_valid(compact(gen.card()[0])) and not luhn_valid(compact(gen.card(valid=False)[0]))
        assert luhn_valid(gen.saudi_id()) and not luhn_valid(gen.saudi_id(valid=False))
        assert luhn_valid(gen.uae_id()) and not luhn_valid(gen.uae_id(valid=False))
        assert is_egypt_id(gen.egypt_id()) and not is_egypt_id(gen.egypt_id(valid=False))


def test_documents_are_deterministic_and_labelled_at_the_right_offsets():
    a, b = build_documents([], 50, seed=7), build_documents([], 50, seed=7)
    assert [d.text for d in a] == [d.text for d in b]
    assert build_documents([], 5, seed=8)[0].text != a[0].text
    kinds = {g[0] for d in a for g in d.gold}
    assert kinds == {"email", "phone", "ip", "iban", "credit_card", "national_id"}
    assert all(d.text[s:e].strip() == d.text[s:e] and e > s for d in a for _, s, e, _ in d.gold)


def test_precision_and_recall_on_crafted_sentences():
    result = score(build_documents([], 600, seed=1))
    for kind, v in result["per_kind"].items():
        assert v["precision"] >= 0.95 and v["recall"] >= 0.95, (kind, v, result["errors"].get(f"fn:{kind}"))
    assert all(v["hit"] == 0 for t, v in result["negatives"].items() if t in ("year", "date", "price", "percent",
                                                                            "article", "time"))


def test_cli_without_corpus(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "absent.jsonl.gz"), "--docs", "60"]) == 0
    out = capsys.readouterr().out
    assert "corpus not found" in out and "precision" in out and "national_id" in out


@pytest.mark.shared_data
def test_cli_on_saudinewsnet(shared_data, tmp_path, capsys):
    path = shared_data / "corpus" / "saudinewsnet.jsonl.gz"
    assert main(["--data", str(path), "--docs", "100", "--limit", "400", "--sample", "5",
                 "--json", str(tmp_path / "pii.json")]) == 0
    out = capsys.readouterr().out
    assert "SaudiNewsNet: 400 documents" in out and "docs/s" in out
    assert (tmp_path / "pii.json").stat().st_size > 0
