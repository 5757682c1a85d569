"""Arabic chunks written for these tests (no dataset text), and small helpers shared by the pair tests."""

from __future__ import annotations

import re
from collections import Counter

from native_align.pairs.config import PairsConfig

FAMILY_NAMES = ("ads", "contacts", "boilerplate", "formatting", "insults", "repeats")

# Numbers in several shapes, a Latin name, straight and angle quotes: every formatting damage has a site.
PARK = (
    "افتتحت بلدية المدينة يوم الخميس حديقة عامة جديدة تمتد على مساحة 12 هكتارًا في الحي الشمالي.\n"
    "وقال رئيس البلدية إن المشروع كلف نحو 3.5 مليون دينار، وإن أعمال البناء استمرت 18 شهرًا بمشاركة شركة "
    "Bouygues الفرنسية.\n"
    'وتحمل الحديقة اسم "واحة الجنوب"، ووصفها السكان بأنها «متنفس حقيقي» للعائلات.\n'
    "وتضم الحديقة مسارًا للدراجات بطول 2,400 متر وملاعب للأطفال ومكتبة صغيرة مفتوحة للجميع.\n"
    "ويتوقع القائمون على الحديقة أن يزورها أكثر من 5000 شخص كل أسبوع خلال فصل الربيع."
)
# One paragraph, no digits, long sentences: room inside sentences for insults and repeats.
VILLAGE = (
    "يقع سوق القرية القديم عند ملتقى الطرق التي تربط الوادي بالساحل الغربي. "
    "ويقصده المزارعون من القرى المجاورة لبيع التمور والعسل والأقمشة المنسوجة يدويًا. "
    "وقد رمم أهالي القرية مبانيه الحجرية قبل سنوات بمساعدة جمعية تراثية محلية. "
    "ويحرص الزوار على شراء الخبز الساخن من الأفران الطينية المنتشرة على أطرافه."
)


def only(family: str, split_seed: int = 0, **params) -> PairsConfig:
    """Pairs config where ``family`` always fires and every other family is off; no clean pairs."""
    noise = {name: {"enabled": name == family} for name in FAMILY_NAMES}
    noise[family].update({"probability": 1.0, **params})
    return PairsConfig(seed=split_seed, clean_fraction=0.0, noise=noise)


_TO_LATIN = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def numbers(text: str) -> Counter:
    """Every number of ``text`` (Arabic-Indic digits read as Latin), counted."""
    return Counter(re.findall(r"\d+(?:[.,]\d+)*", text.translate(_TO_LATIN)))
