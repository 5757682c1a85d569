from native_align.text.normalize import content_hash, normalize_for_matching, strip_diacritics, words


def test_folds_spelling_variants_to_one_view():
    plain = "اعلنت الوزاره ان المدرسه الكبري ستفتح"
    variants = [
        "أعلنت الوزارة أن المدرسة الكبرى ستفتح",          # hamza alef, taa marbuta, alef maqsura
        "أعلَنَت الوِزارةُ أنَّ المدرسةَ الكُبرى ستُفتَح",  # harakat
        "أعلـــنت الوزارة   أن المدرسة الكبرى ستفتح",     # tatweel and extra spaces
        "إعلنت الوزارة آن المدرسة الكبرى ستفتح".replace("إعلنت", "أعلنت").replace("آن", "أن"),
    ]
    for text in variants:
        assert normalize_for_matching(text) == plain
    assert len({content_hash(t) for t in variants}) == 1


def test_digits_become_ascii_and_case_folds():
    assert normalize_for_matching("عام ٢٠٢٤ و۱۵ Riyadh") == "عام 2024 و15 riyadh"


def test_different_words_hash_differently():
    assert content_hash("ذهب الولد إلى المدرسة") != content_hash("ذهب الولد إلى السوق")


def test_words_keep_voweled_words_whole():
    assert words("كَتَبَ الوَلَدُ الدَّرسَ، ثم نام.") == ["كَتَبَ", "الوَلَدُ", "الدَّرسَ", "ثم", "نام"]
    assert strip_diacritics("الدَّرسَ") == "الدرس"


def test_batch_normalization_equals_the_reference_on_hard_cases():
    import random

    from native_align.text.normalize import normalize_batch

    rng = random.Random(0)
    code_points = [c for c in range(1, 0x3000) if not 0xD800 <= c < 0xE000] + [0xFB50, 0xFDF2, 0xFEFB, 0x1D400]
    texts = ["".join(chr(rng.choice(code_points)) for _ in range(60)) for _ in range(300)]
    texts += ["  \u0627\u0654 \u0648\u0654 x\u00a0\u00a0y ", "İSTANBUL", "\t\n", None, "\u0640\u064b", "a ـ b",
              "عام 2004 ـ وعليه", "\ufefb\ufdf2", ""]
    assert normalize_batch(texts) == [normalize_for_matching(t or "") for t in texts]


def test_batch_normalization_composes_across_a_word_only_where_nfkc_would():
    from native_align.text.normalize import normalize_batch

    # only the unstable words change (alef + maddah, Hangul jamo, a Tamil vowel sign, e + acute, a ligature);
    # the stable ones beside them, and the separator itself inside a text, stay as the reference has them
    texts = ["كتاب", "\u0627\u0653", "\u1100\u1161", "\u0bc6\u0bbe", "e\u0301", "\ufefb", "درس", "a\ue000\u0653",
             "\u0653", "x"] * 3
    assert normalize_batch(texts) == [normalize_for_matching(t) for t in texts]
