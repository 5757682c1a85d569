"""Guardrails on crafted outputs: each rule fires on its failure and a good rewrite passes all of them."""

from __future__ import annotations

import pytest

from native_align.alignment.config import GuardrailConfig
from native_align.alignment.guardrails import check_rewrite, check_rewrites, extract_numbers
from native_align.alignment.prompts import load_prompt

ORIGINAL = ("أعلنت وزارة الصحة  اليوم عن افتتاح ٣ مستشفيات جديدة في منطقة الرياض بسعة 1,250 سريرا.. "
            "للتواصل واتساب 0555123456 أو +966 55 123 4567 وزوروا www.example.com/offer2024\n"
            "وقال المتحدث الرسمي ان المشاريع ستكتمل في عام 2025 بتكلفة 3.5 مليار ريال.")
GOOD = ("أعلنت وزارة الصحة اليوم عن افتتاح 3 مستشفيات جديدة في منطقة الرياض بسعة ١٢٥٠ سريرًا.\n"
        "وقال المتحدث الرسمي إن المشاريع ستكتمل في عام ٢٠٢٥ بتكلفة 3.50 مليار ريال.")
CFG = GuardrailConfig()


def test_good_rewrite_passes():
    res = check_rewrite(ORIGINAL, GOOD, CFG)
    assert res.status == "ok" and res.reasons == [], res.details


@pytest.mark.parametrize("rewrite, reason", [
    ("", "empty"),
    ("The Ministry of Health opened 3 new hospitals in Riyadh with 1250 beds; the projects finish in 2025 "
     "at a cost of 3.5 billion riyals.", "not_arabic"),
    ("أعلنت وزارة الصحة افتتاح 3 مستشفيات بسعة 1250 سريرًا في 2025 بتكلفة 3.5 مليار.", "too_short"),
    (GOOD + "\n" + GOOD.replace("أعلنت", "وأضافت") + "\n" + GOOD, "too_long"),
    ("إليك النص بعد التحسين:\n" + GOOD, "meta_commentary"),
    ("Here is the rewritten text:\n" + GOOD, "meta_commentary"),
    ("بصفتي نموذجا لغويا أرى أن النص جيد. " + GOOD, "meta_commentary"),
    ("عذراً، لا يمكنني إعادة صياغة هذا النص لأنه يحتوي على أرقام هواتف ومعلومات تواصل كثيرة جدا وغير مناسبة.",
     "refusal"),
    (GOOD[:-1] + " وذلك في إطار خطة الوزارة لتوسيع", "truncated"),
    ("النص المحسن:\n" + GOOD, "echoes_instructions"),
    (GOOD.replace("3.50", "4.5"), "numbers_missing"),
    (GOOD.replace("٢٠٢٥", "٢٠٢٦"), "numbers_missing"),
])
def test_each_rule_fires(rewrite, reason):
    res = check_rewrite(ORIGINAL, rewrite, CFG)
    assert res.status == "rejected"
    assert reason in res.reasons, (res.reasons, res.details)


def test_token_limit_counts_as_truncated():
    res = check_rewrite(ORIGINAL, GOOD, CFG, finish_reason="length")
    assert res.reasons == ["truncated"]


def test_instruction_echo_uses_the_prompt_rules():
    rule = load_prompt().echo_fragments()[1]
    res = check_rewrite(ORIGINAL, rule + "\n" + GOOD, CFG)
    assert "echoes_instructions" in res.reasons


def test_phrases_already_in_the_original_are_not_meta():
    original = "قال المدرب: لا أستطيع أن أعد الجماهير بالفوز في المباراة القادمة أمام الهلال في عام 2024."
    assert check_rewrite(original, original, CFG).ok


def test_numbers_normalized_and_contacts_exempt():
    required, seen = extract_numbers(ORIGINAL)
    assert required == {"3", "1250", "2025", "3.5"}  # phones, links excluded; digits and separators folded
    assert {"3", "1250", "2025"} <= extract_numbers("٣ و١٬٢٥٠ و٢٠٢٥")[1]


def test_rules_can_be_switched_off():
    cfg = GuardrailConfig(check_numbers=False, check_length=False)
    assert check_rewrite(ORIGINAL, GOOD.replace("3.50", "4.5"), cfg).ok


def test_batch_form_matches_single():
    rewrites = [GOOD, "", "Here is the rewritten text: " + GOOD]
    batch = check_rewrites([ORIGINAL] * 3, rewrites, CFG, finish_reasons=["stop", None, "stop"])
    single = [check_rewrite(ORIGINAL, r, CFG) for r in rewrites]
    assert [b.reasons for b in batch] == [s.reasons for s in single]


def test_html_entities_are_characters_not_numbers():
    required, _ = extract_numbers("مستشفيات&#1575;لرياض&nbsp;الجديدة عددها 3 &#x627;")
    assert required == {"3"}
    res = check_rewrite("افتتحت الوزارة &#1575;لمستشفى الجديد في عام 2015.",
                        "افتتحت الوزارة المستشفى الجديد في عام 2015.", GuardrailConfig(check_language=False))
    assert "numbers_missing" not in res.reasons
