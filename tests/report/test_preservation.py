"""Numbers and approximate names of the original found again in the rewrite."""

from __future__ import annotations

import pytest

from native_align.report.preservation import extract_names, preservation, preservation_counts, preservation_summary

ORIGINAL = ("قال الرئيس الأمريكي باراك أوباما إن شركة Apple ستفتح فرعا في مدينة الرياض بحضور الأمير محمد بن سلمان "
            "يوم 12 مايو 2015 بتكلفة ١٢٥٠ مليون. للتواصل 0555123456")


def test_extract_names_rules():
    assert extract_names(ORIGINAL) == {"باراك", "apple", "الرياض", "محمد", "سلمان"}
    assert extract_names("ذهب الطالب إلى المدرسة") == set()
    assert extract_names("") == set() and extract_names(None) == set()
    assert "NASA".lower() in extract_names("وكالة NASA أطلقت")


def test_counts_numbers_and_names():
    rewrite = "أكد أوباما أن Apple ستفتح فرعا بالرياض في 12 مايو بحضور محمد بن سلمان بتكلفة 1250 مليون"
    # numbers: 12, 2015, 1250 (the phone number is not required); 2015 is missing
    # names: apple, الرياض (as بالرياض), محمد, سلمان kept; باراك missing
    assert preservation_counts(ORIGINAL, rewrite) == (3, 2, 5, 4)
    assert preservation_counts(ORIGINAL, ORIGINAL) == (3, 3, 5, 5)
    assert preservation_counts("", "x") == (0, 0, 0, 0)


def test_spark_summary(spark):
    pairs = spark.createDataFrame([
        ("a", ORIGINAL, "أكد أوباما أن Apple ستفتح فرعا بالرياض في 12 مايو بحضور محمد بن سلمان بتكلفة 1250 مليون"),
        ("b", "في عام 2020 زار 300 شخص", "في عام 2020 زار 300 شخص"),
        ("c", "نص بلا أرقام", "نص بلا أرقام"),
    ], "doc_id string, original_text string, rewrite string")
    counts = {r["doc_id"]: tuple(r)[1:] for r in preservation(pairs).collect()}
    assert counts == {"a": (3, 2, 5, 4), "b": (2, 2, 0, 0), "c": (0, 0, 0, 0)}
    s = preservation_summary(preservation(pairs)).first()
    assert (s["documents"], s["numbers"], s["numbers_kept"], s["names"], s["names_kept"]) == (3, 5, 4, 5, 4)
    assert s["numbers_kept_share"] == pytest.approx(0.8) and s["names_kept_share"] == pytest.approx(0.8)
    assert s["docs_all_numbers_kept"] == pytest.approx(0.5)
