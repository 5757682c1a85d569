"""Each family alone on crafted Arabic text: it injects what it says, where it says, and it can be undone."""

from __future__ import annotations

import html
import re

import pytest

from native_align.pairs.noise.draft import is_arabic_letter
from native_align.pairs.noise.generators import PHONE_FORMATS, render_phone
from native_align.pairs.noise.insults import FUNCTION_WORDS, GROUPS, read_badwords
from native_align.pairs.noise.model import NoiseModel

from tests.pairs.texts import PARK, VILLAGE, only

SEEDS = range(120)
SPLITS = ("train", "heldout")
_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
# Gulf, Egyptian and Maghrebi mobiles, international or local, once spaces and dashes are gone.
PHONE_SHAPE = re.compile(
    r"(?:\+|00)(?:(?:966|971|965|974|973|968)[35679]\d{7,8}|201[0125]\d{8}|212[67]\d{8}|213[567]\d{8}|216[259]\d{7})"
    r"|05\d{8}|01[0125]\d{8}|0[567]\d{8}")


def pairs(family: str, text: str = PARK, **params):
    model = NoiseModel(only(family, **params))
    for seed in SEEDS:
        for split in SPLITS:
            pair = model.apply(text, seed, split)
            assert pair.families == (family,) and pair.injections, (seed, split)
            assert {i.family for i in pair.injections} == {family}
            yield pair


def remove_insertions(pair) -> str:
    """The source with every inserted line/phrase taken out with the newline or space that glued it in."""
    source = pair.source
    for inj in sorted(pair.injections, key=lambda i: -len(i.text)):  # a CTA can be part of a longer ad line
        for glued in (" " + inj.text, "\n" + inj.text, inj.text + "\n"):
            if glued in source:
                source = source.replace(glued, "", 1)
                break
        else:
            raise AssertionError(f"{inj.text!r} not glued into {source!r}")
    return source


def is_phone(value: str) -> bool:
    return bool(PHONE_SHAPE.fullmatch(re.sub(r"[ \-]", "", value.translate(_TO_LATIN))))


# -- contacts -----------------------------------------------------------------------------------------------
def test_contacts_insert_phone_shaped_numbers_and_addresses_in_arabic_phrases():
    kinds_seen = set()
    for pair in pairs("contacts"):
        assert remove_insertions(pair) == pair.target
        for inj in pair.injections:
            assert inj.values and all(v in inj.text for v in inj.values)
            assert sum(is_arabic_letter(ch) for ch in inj.text) >= 4  # an Arabic phrase around the contact
            for kind, value in zip(re.findall(r"\{(\w+)\}", _phrase(inj.template_id)), inj.values):
                kinds_seen.add(kind)
                if kind == "phone":
                    assert is_phone(value), value
                    assert sum(ch.isdigit() for ch in value) >= 9
                elif kind == "email":
                    assert re.fullmatch(r"[a-z._-]+@[a-z-]+(\.[a-z]+)+", value), value
                elif kind == "url":
                    assert re.fullmatch(r"(https?://)?(www\.)?[a-z-]+\.[a-z]+(/[a-z/]+)?", value), value
                else:
                    assert re.fullmatch(r"@[a-z._]+", value), value
    assert kinds_seen == {"phone", "email", "url", "handle"}


def _phrase(template_id: str) -> str:
    from native_align.pairs.noise.contacts import PHRASES
    return next(t.text for t in PHRASES if t.id == template_id)


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_contact_digits_follow_the_configured_script(share):
    phones = [v for pair in pairs("contacts", arabic_indic_share=share) for inj in pair.injections
              for v in inj.values if any(ch.isdigit() for ch in v)]
    assert phones
    arabic = [p for p in phones if re.search("[٠-٩]", p)]
    assert len(arabic) == (len(phones) if share else 0)
    assert all(not re.search("[0-9]", p) for p in arabic)


def test_every_phone_format_renders_to_its_region():
    import random
    rng = random.Random(0)
    for fmt in PHONE_FORMATS:
        for arabic in (False, True):
            value = render_phone(fmt.text, rng, arabic)
            assert is_phone(value), (fmt.id, value)


@pytest.mark.parametrize("share,where", [(0.0, "line"), (1.0, "inline")])
def test_contacts_placement(share, where):
    for pair in pairs("contacts", inline_share=share, max_insertions=1):
        (inj,) = pair.injections
        lines = pair.source.split("\n")
        if where == "line":
            assert inj.text in lines
        else:
            assert inj.text not in lines
            before = pair.source[:pair.source.index(inj.text)]
            assert re.search(r"[.!?؟…] $", before), before[-5:]


# -- ads ----------------------------------------------------------------------------------------------------
def test_ads_are_promo_lines_or_ctas_glued_after_a_sentence():
    kinds = set()
    for pair in pairs("ads"):
        assert remove_insertions(pair) == pair.target
        for inj in pair.injections:
            kinds.add(inj.kind)
            if inj.kind == "line":
                assert inj.text in pair.source.split("\n")
            else:
                i = pair.source.index(inj.text)
                assert re.search(r"[.!?؟…] $", pair.source[:i]) and len(inj.text.split()) <= 4
            assert not re.search(r"\d", re.sub(r"|".join(map(re.escape, inj.values)) or "$^", "", inj.text))
    assert kinds == {"line", "inline"}


# -- boilerplate --------------------------------------------------------------------------------------------
def test_boilerplate_lines_sit_where_pages_put_them():
    for pair in pairs("boilerplate", max_lines=1):
        assert remove_insertions(pair) == pair.target
        (inj,) = pair.injections
        lines = pair.source.split("\n")
        assert inj.text in lines and not re.search(r"\d", inj.text)
        if inj.kind == "top":
            assert lines[0] == inj.text
        if inj.kind == "bottom":
            assert lines[-1] == inj.text


# -- insults ------------------------------------------------------------------------------------------------
def test_insults_land_inside_sentences_and_come_out_cleanly():
    badwords = set(read_badwords())
    groups = {g for members in GROUPS.values() for g in members}
    kinds = set()
    for pair in pairs("insults", text=VILLAGE):
        (inj,) = pair.injections
        kinds.add(inj.kind)
        assert any(v in groups or v in badwords or v.startswith("ال") for v in inj.values)
        assert all(v in inj.text for v in inj.values)
        if inj.kind == "apposition":
            glued = f"، {inj.text}،"
            i = pair.source.index(glued)
            # between two Arabic words of one sentence, at least two words in on each side
            before, after = pair.source[:i], pair.source[i + len(glued):]
            assert is_arabic_letter(before[-1]) and after[0] == " " and is_arabic_letter(after[1])
            assert before.split()[-1] not in FUNCTION_WORDS
            assert len(re.split(r"[.؟!]", before)[-1].split()) >= 2
            assert len(re.split(r"[.؟!]", after)[0].split()) >= 2
        else:
            glued = f"، {inj.text}"
            i = pair.source.index(glued)
            assert pair.source[i + len(glued)] in ".!?؟…"
        assert pair.source.replace(glued, "", 1) == pair.target
    assert kinds == {"apposition", "clause"}


def test_insults_use_the_shipped_lexicon():
    words = read_badwords()
    assert len(words) >= 20 and not any(w.startswith("#") for w in words)
    used = {v for pair in pairs("insults", text=VILLAGE) for v in pair.injections[0].values}
    assert used & set(words)


# -- repeats ------------------------------------------------------------------------------------------------
def test_repeats_duplicate_a_sentence_of_the_chunk():
    kinds = set()
    for pair in pairs("repeats", text=PARK):
        (inj,) = pair.injections
        kinds.add(inj.kind)
        assert inj.text in pair.target and len(inj.text.split()) >= 4
        assert pair.source.count(inj.text) == pair.target.count(inj.text) + 1
        if inj.kind == "adjacent":
            assert f"{inj.text} {inj.text}" in pair.source
        if inj.kind == "adjacent_line":
            assert f"{inj.text}\n{inj.text}" in pair.source
        undone = pair.source[::-1].replace((" " + inj.text)[::-1], "", 1)[::-1]
        if undone != pair.target:
            undone = pair.source[::-1].replace(("\n" + inj.text)[::-1], "", 1)[::-1]
        assert undone == pair.target
    assert kinds == {"adjacent", "later_inline", "later_line", "adjacent_line"}


# -- formatting ---------------------------------------------------------------------------------------------
_MARKS = ".!?؟،,"
REPAIR = {
    "line_wrap": lambda t: re.sub(r"\s+", " ", t),
    "spaces": lambda t: re.sub(r" ([،.!؟?:؛])$", r"\1", re.sub(r"[ \u00a0]+", " ", t)),
    "glue": lambda t: re.sub(r"(?<=[\u0621-\u064a])(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])(?=[\u0621-\u064a])", " ", t),
    "punctuation": lambda t: re.sub(rf"([{_MARKS}])[{_MARKS}]+$", r"\1", t),
    "tatweel": lambda t: t.replace("ـ", ""),
    "html_entity": lambda t: html.unescape(t).replace("\u00a0", " ").replace("\u200f", ""),
    "html_tag": lambda t: re.sub(r"<[^>]+>", "", t),
}
LOOKS_LIKE = {
    "line_wrap": r"\S\s*\n\s*\S",
    "spaces": r"\S(  +|\u00a0 )\S|\S [،.!؟?:؛]$",
    "glue": r"[\u0621-\u064a][0-9A-Za-z]|[0-9A-Za-z][\u0621-\u064a]",
    "punctuation": rf"[{_MARKS}][{_MARKS}]+$",
    "tatweel": r"[\u0621-\u064a]ـ+[\u0621-\u064a]",
    "html_entity": r"&(nbsp|quot|laquo|raquo|rlm|#\d+|#x[0-9a-f]+);",
    "html_tag": r"</?[a-z]+[^>]*>",
    "emoji": r"^[^\w\s]{2,}$",
}


def repair(pair) -> str:
    """Undo every recorded damage with its one rule; a correct rewrite does the same."""
    source = pair.source
    for inj in sorted(pair.injections, key=lambda i: -len(i.text)):  # "⭐🌟" is also part of "⭐🌟🌟"
        if inj.kind == "emoji":
            source = source.replace(" " + inj.text, "", 1)
        else:
            source = source.replace(inj.text, REPAIR[inj.kind](inj.text), 1)
    return source


@pytest.mark.parametrize("kind", sorted(LOOKS_LIKE))
def test_formatting_damage_is_what_it_says_and_reversible(kind):
    variants = set()
    for pair in pairs("formatting", kinds=[kind]):
        for inj in pair.injections:
            assert inj.kind == kind
            assert re.search(LOOKS_LIKE[kind], inj.text), (kind, inj.text)
            variants.add(inj.template_id)
        assert repair(pair) == pair.target, pair.source
    assert len(variants) >= 3


def test_formatting_mix_is_reversible_and_keeps_digits_in_order():
    for pair in pairs("formatting", max_damages=4):
        assert repair(pair) == pair.target
        digits = lambda s: re.sub(r"&#x?[0-9a-f]+;", "", s)  # noqa: E731  (entities are markup, not numbers)
        assert re.sub(r"\D", "", digits(pair.source)) == re.sub(r"\D", "", pair.target)


def test_numeric_entities_can_be_switched_off():
    for pair in pairs("formatting", kinds=["html_entity"], numeric_entities=False):
        assert not re.search(r"&#", pair.source)
