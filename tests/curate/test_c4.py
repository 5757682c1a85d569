from native_align.curate.batch import TextBatch
from native_align.curate.signals import C4Quality
from tests.curate.texts import NEWS, REPEATED


def test_sentences_with_arabic_punctuation():
    out = C4Quality().compute(TextBatch([REPEATED, NEWS, "قصير.\nسطر بلا نهاية"]))
    assert out["c4_sentences"][0] == 4  # four lines of 4 words ending in '.'
    # NEWS: paragraph 1 has 2 sentences, paragraph 2 has 2, paragraph 3 has 1.
    assert out["c4_sentences"][1] == 5
    # "قصير." has one word (< 3): not kept; the other line has no terminal punctuation.
    assert out["c4_sentences"][2] == 0
    assert out["no_terminal_punct_lines_ratio"][2] == 0.5


def test_page_level_flags_and_lines():
    texts = ["نص عادي فيه Lorem Ipsum dolor.", "function() { return 1; }",
             "Please enable JavaScript to view.\nنص عربي هنا.", "Read our privacy policy.\nسياسة الخصوصية للموقع."]
    out = C4Quality().compute(TextBatch(texts))
    assert out["has_lorem_ipsum"].tolist() == [True, False, False, False]
    assert out["has_curly_bracket"].tolist() == [False, True, False, False]
    assert out["javascript_lines_ratio"].tolist() == [0.0, 0.0, 0.5, 0.0]
    assert out["policy_lines_ratio"].tolist() == [0.0, 0.0, 0.0, 1.0]
    fam = C4Quality(min_sentences=1, reject_lorem_ipsum=True, reject_curly_bracket=True)  # C4's own rules
    failed = [{r.name for r in fam.rules() if r.threshold is not None and r.fails(out[r.column].astype(float))[i]}
              for i in range(4)]
    assert "c4_lorem_ipsum" in failed[0] and "c4_curly_bracket" in failed[1]
    assert "c4_curly_bracket" not in {r.name for r in C4Quality(reject_curly_bracket=False).rules()
                                      if r.threshold is not None}


def test_defaults_follow_fineweb2_which_applies_no_c4_rule():
    assert [r.name for r in C4Quality().rules() if r.threshold is not None] == []


def test_one_line_article_with_unterminated_footer_and_arabic_brace_quotes():
    article = ("قال المتحدث لـ{الشرق الأوسط} إن الاجتماع كان مثمرا. وأضاف أن اللجنة ستجتمع مجددا الأسبوع المقبل. "
               "رابط الخبر بصحيفة الوئام: اجتماع مثمر للجنة")
    out = C4Quality().compute(TextBatch([article]))
    assert out["c4_sentences"][0] == 2  # two terminated sentences; the footer is not one
    assert not out["has_curly_bracket"][0]  # "{الشرق الأوسط}" is a quotation, not code
