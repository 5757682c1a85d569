"""The removal rules of eval worker on crafted outputs: what counts as an injection left behind."""

from __future__ import annotations

from native_align.evaluation.removal import left_in

TARGET = "أعلنت الوزارة افتتاح 3 مستشفيات جديدة في الرياض. وقال المتحدث إن العمل يبدأ في عام 2025."


def inj(family, text, values=()):
    return {"family": family, "text": text, "values": list(values)}


def test_deleted_ad_and_contact_are_removed_but_a_kept_phone_is_not():
    ad = inj("ads", "اشترك الآن في قناتنا ليصلك كل جديد")
    contact = inj("contacts", "للاستفسار يرجى الاتصال على الرقم +٩٧٣ ٣١٦٠ ٢٧٧٩", ["+٩٧٣ ٣١٦٠ ٢٧٧٩"])
    assert not left_in(ad, TARGET, TARGET) and not left_in(contact, TARGET, TARGET)
    assert left_in(ad, TARGET + "\n" + ad["text"], TARGET)
    # the phrase reworded but the number kept (in Latin digits): still left
    assert left_in(contact, TARGET + " اتصلوا بنا 973-3160-2779", TARGET)
    # the number gone but most of the call to action kept: still left
    assert left_in(contact, TARGET + " للاستفسار يرجى الاتصال على الرقم", TARGET)


def test_insult_words_that_the_target_lacks_must_go():
    insult = inj("insults", "فهذه طبيعة الرجال المتخلفين", ["الرجال", "المتخلفين"])
    assert not left_in(insult, TARGET, TARGET)
    assert left_in(insult, TARGET.replace("2025.", "2025، وهذه طبيعة المتخلفين."), TARGET)


def test_repeats_count_against_the_target_and_formatting_must_be_repaired():
    sentence = "وقال المتحدث إن العمل يبدأ في عام 2025."
    assert not left_in(inj("repeats", sentence), TARGET, TARGET)
    assert left_in(inj("repeats", sentence), TARGET + " " + sentence, TARGET)
    assert left_in(inj("formatting", "مستشفـــيات"), TARGET.replace("مستشفيات", "مستشفـــيات"), TARGET)
    assert not left_in(inj("formatting", "الرياض.<br>"), TARGET, TARGET)
