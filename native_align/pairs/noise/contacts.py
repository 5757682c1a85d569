"""Contact details inside an Arabic phrase: phones, e-mails, URLs, social handles.

Code of conduct, content moderation: "delete links, phone numbers, e-mail addresses and all contact details".
A phrase goes on a line of its own (between paragraphs, first or last) or right after a sentence end, never next
to a digit of the chunk. The phone/e-mail/URL/handle formats are held out like the phrases (see generators.py);
``Injection.values`` lists the generated contacts, ``kind`` their types ("phone", "email+phone", ...).
"""

from __future__ import annotations

import random
import re

from native_align.pairs.config import ContactsConfig
from native_align.pairs.noise.base import Injection, NoiseFamily, Template
from native_align.pairs.noise.draft import Draft
from native_align.pairs.noise.generators import FORMATS, fill_contacts

T = Template
PHRASES: tuple[Template, ...] = (
    T("contacts.01", "للتواصل: {phone}"),
    T("contacts.02", "للاستفسار يرجى الاتصال على الرقم {phone}"),
    T("contacts.03", "واتساب {phone}"),
    T("contacts.04", "للحجز والاستفسارات: {phone} أو عبر البريد {email}"),
    T("contacts.05", "راسلونا على {email}"),
    T("contacts.06", "البريد الإلكتروني: {email}"),
    T("contacts.07", "لمزيد من التفاصيل زوروا موقعنا {url}"),
    T("contacts.08", "تابعونا على إنستغرام {handle}"),
    T("contacts.09", "حسابنا على تويتر: {handle}"),
    T("contacts.10", "هاتف: {phone} - جوال: {phone}"),
    T("contacts.11", "أرسل سيرتك الذاتية إلى {email}"),
    T("contacts.12", "رابط التسجيل: {url}"),
    T("contacts.13", "اتصل بنا الآن على {phone} أو راسلنا على {email}"),
    T("contacts.14", "لطلب الخدمة كلمنا على الخاص {handle}"),
    T("contacts.15", "خدمة العملاء على مدار الساعة {phone}", held_out=True),
    T("contacts.16", "لإرسال الأخبار والصور يرجى المراسلة على {email}", held_out=True),
    T("contacts.17", "الموقع الرسمي للمشروع: {url}", held_out=True),
    T("contacts.18", "اطلبوا عبر سناب شات {handle} أو على الرقم {phone}", held_out=True),
    T("contacts.19", "للإعلان في الموقع: {phone}", held_out=True),
)


def contact_kinds(text: str) -> str:
    return "+".join(sorted(set(re.findall(r"\{(phone|email|url|handle)\}", text))))


class ContactsNoise(NoiseFamily):
    name = "contacts"
    templates = PHRASES

    def __init__(self, config: ContactsConfig) -> None:
        super().__init__(config)

    def all_templates(self) -> list[Template]:
        return [*self.templates, *(fmt for formats in FORMATS.values() for fmt in formats)]

    def apply(self, draft: Draft, rng: random.Random, split: str) -> list[Injection]:
        out: list[Injection] = []
        for _ in range(rng.randint(1, self.config.max_insertions)):
            template = self.pick(rng, split, exclude=out)
            if template is None:
                break
            filled = fill_contacts(template.text, rng, split, rng.random() < self.config.arabic_indic_share)
            if filled is None:
                break
            phrase, formats, values = filled
            inline = draft.sentence_end_slots() if rng.random() < self.config.inline_share else []
            if inline:
                draft.insert_inline(rng.choice(inline), phrase)
            else:
                draft.insert_line(rng.choice(draft.line_slots()), phrase)
            out.append(self.record(template, phrase, contact_kinds(template.text), formats, values))
        return out
