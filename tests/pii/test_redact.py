"""Policies (redact / drop / keep), counts, placeholders, batches, Arrow and config."""

from __future__ import annotations

import ast
from pathlib import Path

import pyarrow as pa
import pytest
from pydantic import ValidationError

from native_align.pii.config import PiiConfig
from native_align.pii.kinds import KINDS
from native_align.pii.redact import Policy, redact, redact_batch

TEXT = ("للتواصل: 0501234567 أو +971 50 123 4567، البريد ali@example.com، الآيبان SA03 8000 0000 6080 1016 7519، "
        "البطاقة 4111 1111 1111 1111، الهوية 1000000008، الخادم 192.168.1.10، عام 2015 بقيمة 3.5 مليار ريال.")


def test_default_policy_redacts_every_kind_with_typed_placeholders():
    r = redact(TEXT)
    assert r.text == ("للتواصل: <PHONE> أو <PHONE>، البريد <EMAIL>، الآيبان <IBAN>، البطاقة <CREDIT_CARD>، "
                      "الهوية <NATIONAL_ID>، الخادم <IP>، عام 2015 بقيمة 3.5 مليار ريال.")
    assert r.counts == {"email": 1, "iban": 1, "ip": 1, "national_id": 1, "credit_card": 1, "phone": 2}
    assert not r.drop
    assert [s.kind for s in r.spans] == ["phone", "phone", "email", "iban", "credit_card", "national_id", "ip"]
    assert all(TEXT[s.start:s.end] == s.value for s in r.spans)


def test_keep_counts_without_changing_the_text():
    r = redact(TEXT, {k: "keep" for k in KINDS})
    assert r.text == TEXT
    assert sum(r.counts.values()) == 7 and not r.drop


def test_drop_flags_the_document_and_still_redacts():
    r = redact(TEXT, {"national_id": "drop", "phone": "keep"})
    assert r.drop
    assert "<NATIONAL_ID>" in r.text and "0501234567" in r.text and "<EMAIL>" in r.text
    assert r.counts["phone"] == 2
    assert not redact("لا شيء هنا 2015", {"national_id": "drop"}).drop


def test_drop_is_only_set_by_kinds_found():
    assert not redact("للتواصل: 0501234567", {"email": "drop"}).drop
    assert redact("للتواصل: 0501234567", {"phone": "drop"}).drop


def test_config_policy_and_placeholders():
    cfg = PiiConfig(policy={"email": "keep"}, placeholders={"phone": "[هاتف]"})
    r = redact(TEXT, cfg)
    assert "ali@example.com" in r.text and "[هاتف]" in r.text and "<IBAN>" in r.text
    assert redact(TEXT, PiiConfig(enabled=False)).text == TEXT
    assert redact(TEXT, PiiConfig(enabled=False)).counts == dict.fromkeys(KINDS, 0)


def test_config_rejects_unknown_keys_and_actions():
    with pytest.raises(ValidationError):
        PiiConfig(policy={"passport": "redact"})
    with pytest.raises(ValidationError):
        PiiConfig(policy={"email": "delete"})
    with pytest.raises(ValidationError):
        PiiConfig(treshold=3)
    with pytest.raises(ValueError):
        Policy(actions={"email": "delete"})


def test_defaults_are_redact_everything():
    cfg = PiiConfig()
    assert cfg.enabled and set(cfg.policy.model_dump().values()) == {"redact"}
    assert cfg.placeholders.model_dump() == {"email": "<EMAIL>", "phone": "<PHONE>", "ip": "<IP>", "iban": "<IBAN>",
                                             "credit_card": "<CREDIT_CARD>", "national_id": "<NATIONAL_ID>"}


def test_batch_matches_single_and_is_deterministic():
    texts = [TEXT, None, "", "لا أرقام هنا", "جوال ٠٥٠١٢٣٤٥٦٧ ورقم الهوية ١٠٠٠٠٠٠٠٠٨"] * 3
    policy = {"national_id": "drop"}
    b1, b2 = redact_batch(texts, policy), redact_batch(texts, policy)
    assert b1 == b2
    for i, t in enumerate(texts):
        if not t:
            assert b1.texts[i] == t and b1.drop[i] is False and all(b1.counts[k][i] == 0 for k in KINDS)
            continue
        single = redact(t, policy)
        assert b1.texts[i] == single.text and b1.drop[i] == single.drop
        assert {k: b1.counts[k][i] for k in KINDS} == single.counts
    assert b1.texts[4] == "جوال <PHONE> ورقم الهوية <NATIONAL_ID>" and b1.drop[4]


def test_arrow_record_batch():
    from native_align.pii.arrow import redact_record_batch

    batch = pa.RecordBatch.from_pydict({"doc_id": [1, 2, 3], "text": [TEXT, None, "اتصل 0501234567"]})
    out = redact_record_batch(batch, "text", {"phone": "drop"})
    assert out.schema.names == ["doc_id", "text"] + [f"pii_{k}" for k in KINDS] + ["pii_drop"]
    assert out.column("text").to_pylist()[1:] == [None, "اتصل <PHONE>"]
    assert out.column("pii_phone").to_pylist() == [2, 0, 1]
    assert out.column("pii_drop").to_pylist() == [True, False, True]
    assert out.column("pii_phone").type == pa.int32()


def test_package_init_imports_nothing():
    init = Path(__file__).resolve().parents[2] / "native_align" / "pii" / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


def test_redact_batches_for_map_in_arrow():
    from functools import partial

    from native_align.pii.arrow import redact_batches

    batches = [pa.RecordBatch.from_pydict({"text": ["اتصل 0501234567", "لا شيء"]}),
               pa.RecordBatch.from_pydict({"text": ["a@b.co"]})]
    fn = partial(redact_batches, column="text", policy=PiiConfig(policy={"email": "drop"}))
    out = list(fn(iter(batches)))
    assert [b.column("text").to_pylist() for b in out] == [["اتصل <PHONE>", "لا شيء"], ["<EMAIL>"]]
    assert [b.column("pii_drop").to_pylist() for b in out] == [[False, False], [True]]
