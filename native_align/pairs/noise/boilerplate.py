"""Navigation and page boilerplate lines: breadcrumbs, dates, "read also", share bars, copyright, cookie notices.

Code of conduct, format: "arrange the text in clear paragraphs" with nothing but the article. Each template
says where such a line sits on a page (``top``, ``bottom`` or ``any`` line boundary). No digits: a publication
date would be a number the rewrite rightly drops, so dates are relative ("منذ ساعتين").
"""

from __future__ import annotations

import random
import re

from native_align.pairs.config import BoilerplateConfig
from native_align.pairs.noise.base import Injection, NoiseFamily, Template
from native_align.pairs.noise.draft import Draft

T = Template
TOP, BOTTOM, ANY = "top", "bottom", "any"
TEMPLATES: tuple[Template, ...] = (
    T("boilerplate.01", "الرئيسية » أخبار » {section}", kind=TOP),
    T("boilerplate.02", "نشر في: {when}", kind=TOP),
    T("boilerplate.03", "آخر تحديث: {when}", kind=TOP),
    T("boilerplate.04", "اقرأ أيضًا: {headline}", kind=ANY),
    T("boilerplate.05", "شارك هذا المقال: فيسبوك | تويتر | واتساب", kind=BOTTOM),
    T("boilerplate.06", "جميع الحقوق محفوظة © {site}", kind=BOTTOM),
    T("boilerplate.07", "تابعونا على فيسبوك وتويتر وإنستغرام", kind=BOTTOM),
    T("boilerplate.08", "يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك. موافق", kind=TOP),
    T("boilerplate.09", "التعليقات مغلقة", kind=BOTTOM),
    T("boilerplate.10", "مواضيع ذات صلة", kind=ANY),
    T("boilerplate.11", "تسجيل الدخول | إنشاء حساب", kind=TOP),
    T("boilerplate.12", "الصفحة السابقة | الصفحة التالية", kind=BOTTOM),
    T("boilerplate.13", "انقر على الصورة لتكبيرها", kind=ANY),
    T("boilerplate.14", "من نحن | اتصل بنا | سياسة الخصوصية", kind=BOTTOM),
    T("boilerplate.15", "اقرأ المزيد ...", kind=ANY),
    T("boilerplate.16", "طباعة | إرسال إلى صديق | حفظ", kind=BOTTOM, held_out=True),
    T("boilerplate.17", "أنت هنا: {site} › {section}", kind=TOP, held_out=True),
    T("boilerplate.18", "لا توجد تعليقات بعد، كن أول من يعلّق", kind=BOTTOM, held_out=True),
    T("boilerplate.19", "بواسطة: فريق التحرير - {when}", kind=TOP, held_out=True),
    T("boilerplate.20", "الأكثر قراءة: {headline}", kind=ANY, held_out=True),
)
_SECTIONS = ("اقتصاد", "رياضة", "منوعات", "محليات", "صحة", "تقنية", "ثقافة", "سياسة", "تعليم", "فنون")
_WHEN = ("منذ ساعتين", "منذ يومين", "أمس", "قبل أسبوع", "منذ دقائق", "اليوم", "الأحد الماضي", "منذ شهر")
_SITES = ("بوابة الخليج", "صحيفة الوادي", "موقع المنارة", "شبكة الأفق", "مجلة الواحة", "دليل المدينة")
_HEADLINES = ("أسعار الذهب في الأسواق المحلية", "طريقة سهلة لتحضير القهوة العربية", "أفضل الوجهات السياحية هذا الصيف",
              "نصائح للحفاظ على صحة القلب", "كيف تختار هاتفك الجديد", "موعد عودة المدارس",
              "تعرف على فوائد التمر", "حالة الطقس خلال الأيام القادمة")


def fill_page_slots(text: str, rng: random.Random) -> str:
    fill = {"section": _SECTIONS, "when": _WHEN, "site": _SITES, "headline": _HEADLINES}
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(fill[m.group(1)]), text)


class BoilerplateNoise(NoiseFamily):
    name = "boilerplate"
    templates = TEMPLATES

    def __init__(self, config: BoilerplateConfig) -> None:
        super().__init__(config)

    def apply(self, draft: Draft, rng: random.Random, split: str) -> list[Injection]:
        out: list[Injection] = []
        for _ in range(rng.randint(1, self.config.max_lines)):
            template = self.pick(rng, split, exclude=out)
            if template is None:
                break
            line = fill_page_slots(template.text, rng)
            if template.kind == TOP:
                slot = 0
            elif template.kind == BOTTOM:
                slot = len(draft.text)
            else:
                slot = rng.choice(draft.line_slots())
            draft.insert_line(slot, line)
            out.append(self.record(template, line))
        return out
