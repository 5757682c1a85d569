"""Ads and calls to action: promo lines between paragraphs (or first/last), short CTAs after a sentence.

Code of conduct, content moderation: "delete ads and promotional messages". Templates carry no digits (a "50%"
in an ad would be a number the rewrite drops, which a numbers check would count as lost knowledge); a few carry
a phone, URL or handle from the shared generators.
"""

from __future__ import annotations

import random

from native_align.pairs.config import AdsConfig
from native_align.pairs.noise.base import Injection, NoiseFamily, Template
from native_align.pairs.noise.draft import Draft
from native_align.pairs.noise.generators import fill_contacts

T = Template
LINE, INLINE = "line", "inline"
TEMPLATES: tuple[Template, ...] = (
    T("ads.line.01", "اشترك الآن في قناتنا ليصلك كل جديد", kind=LINE),
    T("ads.line.02", "عروض حصرية وخصومات كبرى على جميع المنتجات، اطلب الآن!", kind=LINE),
    T("ads.line.03", "تواصل معنا عبر واتساب {phone} واحصل على استشارة مجانية", kind=LINE),
    T("ads.line.04", "حمّل تطبيقنا من متجر التطبيقات واستمتع بتجربة أسرع", kind=LINE),
    T("ads.line.05", "عرض لفترة محدودة: اشترِ قطعة واحصل على الثانية مجانًا", kind=LINE),
    T("ads.line.06", "احجز مقعدك الآن، الأماكن محدودة!", kind=LINE),
    T("ads.line.07", "أفضل أسعار الشقق المفروشة، اتصل الآن {phone}", kind=LINE),
    T("ads.line.08", "لا تفوّت تخفيضات نهاية الموسم، زوروا {url}", kind=LINE),
    T("ads.line.09", "شحن مجاني لجميع الطلبات والدفع عند الاستلام", kind=LINE),
    T("ads.line.10", "انضم إلى قناتنا على تيليجرام {handle} لمتابعة أحدث العروض", kind=LINE),
    T("ads.line.11", "سجّل الآن واحصل على خصم خاص على أول طلب", kind=LINE),
    T("ads.line.12", "إعلان ممول", kind=LINE),
    T("ads.line.13", "هل تبحث عن وظيفة براتب مجزٍ؟ سجّل بياناتك الآن", kind=LINE),
    T("ads.line.14", "دورات تدريبية معتمدة عن بعد بأسعار رمزية، سارع بالتسجيل", kind=LINE),
    T("ads.line.15", "تسوّق الآن وادفع لاحقًا بدون فوائد", kind=LINE, held_out=True),
    T("ads.line.16", "اربح جوائز قيّمة بمجرد الاشتراك في نشرتنا البريدية", kind=LINE, held_out=True),
    T("ads.line.17", "أقوى باقات الإنترنت المنزلي بأقل سعر في السوق، اشترك اليوم", kind=LINE, held_out=True),
    T("ads.line.18", "خصومات تصل إلى النصف على العطور الفاخرة، العرض ساري حتى نفاد الكمية", kind=LINE,
      held_out=True),
    T("ads.inline.01", "اشترك الآن!", kind=INLINE),
    T("ads.inline.02", "اضغط هنا للمزيد", kind=INLINE),
    T("ads.inline.03", "لا تفوّت العرض!", kind=INLINE),
    T("ads.inline.04", "حمّل التطبيق مجانًا", kind=INLINE),
    T("ads.inline.05", "العرض لفترة محدودة", kind=INLINE),
    T("ads.inline.06", "اطلب الآن", kind=INLINE),
    T("ads.inline.07", "سارع بالحجز", kind=INLINE, held_out=True),
    T("ads.inline.08", "تواصل معنا على الواتساب", kind=INLINE, held_out=True),
)


class AdsNoise(NoiseFamily):
    name = "ads"
    templates = TEMPLATES

    def __init__(self, config: AdsConfig) -> None:
        super().__init__(config)

    def apply(self, draft: Draft, rng: random.Random, split: str) -> list[Injection]:
        out: list[Injection] = []
        for _ in range(rng.randint(1, self.config.max_insertions)):
            slots = draft.sentence_end_slots() if rng.random() < self.config.inline_share else []
            template = self.pick(rng, split, INLINE if slots else LINE, exclude=out)
            if template is None:
                break
            filled = fill_contacts(template.text, rng, split)
            if filled is None:
                break
            text, formats, values = filled
            if slots:
                draft.insert_inline(rng.choice(slots), text)
            else:
                draft.insert_line(rng.choice(draft.line_slots()), text)
            out.append(self.record(template, text, extra=formats, values=values))
        return out
