"""Write the small sample corpus shipped in native_align/data/sample (deterministic: same bytes every run).

The corpus imitates what a crawl of Arabic news and reference pages contains, so every stage has something to do:
readable MSA paragraphs built from templates and a word bank (many topics), republished wire stories, exact and
near duplicates (diacritics, tatweel, alef/ya/ta-marbuta variants, one-word edits), ads and spam, pages in other
languages (English, French, Persian, Urdu), boilerplate footers shared by many pages, short junk, and broken
records (invalid JSON, invalid UTF-8, missing / empty / non-string text, repeated ids, an over-size text).

    python scripts/make_sample_corpus.py            # rewrites native_align/data/sample/
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
from pathlib import Path

import zstandard

OUT = Path(__file__).resolve().parent.parent / "native_align" / "data" / "sample"
SEED = 2412  # arXiv 2412.03253

CITIES = ["الرياض", "جدة", "القاهرة", "الدوحة", "دبي", "عمّان", "بيروت", "تونس", "الرباط", "الكويت", "مسقط",
          "المنامة", "الجزائر", "بغداد", "الإسكندرية", "مكة المكرمة", "المدينة المنورة", "الدمام", "أبوظبي"]
INSTITUTIONS = ["وزارة الصحة", "وزارة التعليم", "البنك المركزي", "الهيئة العامة للإحصاء", "وزارة الاقتصاد",
                "هيئة السياحة", "وزارة الطاقة", "هيئة الاتصالات", "وزارة الثقافة", "الهيئة العامة للأرصاد",
                "وزارة الزراعة", "هيئة النقل العام"]
PEOPLE = ["أحمد العتيبي", "محمد الشهري", "سارة القحطاني", "خالد المنصوري", "فاطمة الزهراء بن علي",
          "عبدالله الحربي", "ليلى حداد", "يوسف الخطيب", "نورة الدوسري", "عمر البرغوثي"]
PERIODS = ["الربع الأول من العام الحالي", "الأشهر الستة الماضية", "العام الماضي", "شهر رمضان", "الموسم الصيفي",
           "الفترة نفسها من العام السابق"]
SITES = ["alwatan-news", "akhbar-alyawm", "arabia-daily", "almarsad", "nabd-alkhaleej", "sada-alarab"]
FOOTERS = [
    "جميع الحقوق محفوظة © 2024 صحيفة الوطن الرقمية",
    "تابعونا على تويتر وفيسبوك وإنستغرام للمزيد من الأخبار العاجلة",
    "اقرأ أيضا: أبرز عناوين الصحف العربية اليوم",
    "للاشتراك في النشرة البريدية اضغط هنا. جميع الحقوق محفوظة لموقع أخبار اليوم ©",
]

TOPICS: dict[str, dict[str, list[str]]] = {
    "economy": {
        "title": ["ارتفاع {indicator} في {city} خلال {period}", "{institution} تعلن نتائج {indicator}"],
        "s": [
            "أعلنت {institution} في {city} عن ارتفاع {indicator} بنسبة {pct} في المئة خلال {period}.",
            "وأوضح {person} أن هذا النمو يعكس تحسن ثقة المستثمرين وتوسع القطاع الخاص في مجالات جديدة.",
            "وتشير البيانات الرسمية إلى أن قطاع الخدمات كان المساهم الأكبر في هذه الزيادة، يليه قطاع الصناعة.",
            "ويتوقع خبراء الاقتصاد أن تستمر هذه الوتيرة خلال الأشهر المقبلة مع تراجع معدلات التضخم.",
            "وقال {person} إن الحكومة تعمل على تنويع مصادر الدخل وتقليل الاعتماد على النفط.",
            "كما سجلت الصادرات غير النفطية زيادة ملحوظة بلغت {num} مليون دولار مقارنة بالعام السابق.",
            "وأكد التقرير أن الاستثمارات الأجنبية المباشرة تضاعفت في {city} خلال {period}.",
        ],
        "indicator": ["الناتج المحلي", "الصادرات غير النفطية", "مؤشر أسعار المستهلكين", "حجم التجارة الخارجية",
                      "الودائع المصرفية"],
    },
    "health": {
        "title": ["{institution} تطلق حملة توعوية في {city}", "افتتاح مستشفى جديد في {city}"],
        "s": [
            "أطلقت {institution} حملة توعوية واسعة في {city} للتعريف بأهمية الكشف المبكر عن الأمراض المزمنة.",
            "وتستهدف الحملة أكثر من {num} ألف مستفيد من مختلف الفئات العمرية خلال {period}.",
            "وأوضح الدكتور {person} أن الوقاية تبدأ بنمط حياة صحي يعتمد على الغذاء المتوازن والنشاط البدني.",
            "وتضم المنشأة الجديدة {num} سريرا وأقساما متخصصة في طب الأطفال والقلب والطوارئ.",
            "ودعت الوزارة المواطنين إلى الحصول على اللقاحات الموسمية قبل بداية فصل الشتاء.",
            "وأشار المسؤولون إلى أن نسبة التغطية بالتطعيمات بلغت {pct} في المئة في المدارس الحكومية.",
        ],
    },
    "education": {
        "title": ["انطلاق العام الدراسي في {city}", "{institution} تعتمد مناهج جديدة"],
        "s": [
            "انطلق العام الدراسي الجديد في مدارس {city} بمشاركة أكثر من {num} ألف طالب وطالبة.",
            "وأعلنت {institution} اعتماد مناهج جديدة في العلوم والرياضيات تركز على التفكير النقدي.",
            "وقال {person} إن تدريب المعلمين يمثل حجر الأساس في أي تطوير للعملية التعليمية.",
            "كما تم تجهيز الفصول الدراسية بأجهزة حديثة تتيح التعلم التفاعلي عن بعد.",
            "وتسعى الجامعات إلى زيادة عدد المقاعد في تخصصات الهندسة والطب وعلوم الحاسب.",
            "وأظهرت نتائج الاختبارات الوطنية تحسنا في مهارات القراءة لدى طلاب المرحلة الابتدائية.",
        ],
    },
    "sports": {
        "title": ["فوز ثمين لفريق {city} في الدوري", "منتخب {country} يستعد للبطولة"],
        "s": [
            "حقق فريق {city} فوزا ثمينا على منافسه بنتيجة {score} في المباراة التي أقيمت مساء أمس.",
            "وسجل المهاجم {person} هدف الفوز في الدقائق الأخيرة وسط فرحة الجماهير.",
            "وبهذا الفوز يرفع الفريق رصيده إلى {num} نقطة في صدارة جدول الترتيب.",
            "ويستعد منتخب {country} لخوض مباراتين وديتين قبل انطلاق البطولة القارية.",
            "وأكد المدرب أن اللاعبين في حالة بدنية جيدة وأن الهدف هو الوصول إلى الأدوار النهائية.",
            "وشهدت المباراة حضورا جماهيريا كبيرا تجاوز {num} ألف متفرج.",
        ],
    },
    "technology": {
        "title": ["{city} تستضيف مؤتمر التقنية", "{institution} تطلق خدمات رقمية جديدة"],
        "s": [
            "استضافت {city} مؤتمرا دوليا للتقنية بمشاركة شركات ناشئة من {num} دولة.",
            "وناقش المشاركون تطبيقات الذكاء الاصطناعي في الصحة والتعليم والخدمات الحكومية.",
            "وأعلنت {institution} إطلاق منصة رقمية تتيح للمواطنين إنجاز معاملاتهم دون مراجعة المكاتب.",
            "وقال {person} إن البنية التحتية للاتصالات شهدت توسعا كبيرا في تغطية شبكات الجيل الخامس.",
            "وتهدف المبادرة إلى تدريب الشباب على البرمجة وتحليل البيانات والأمن السيبراني.",
            "وأشار التقرير إلى أن نسبة مستخدمي الإنترنت بلغت {pct} في المئة من السكان.",
        ],
    },
    "culture": {
        "title": ["معرض {city} الدولي للكتاب يفتح أبوابه", "مهرجان ثقافي في {city}"],
        "s": [
            "افتتح معرض {city} الدولي للكتاب أبوابه للزوار بمشاركة أكثر من {num} دار نشر عربية وأجنبية.",
            "ويتضمن البرنامج الثقافي ندوات شعرية وأمسيات أدبية وورش عمل للأطفال.",
            "وقالت الكاتبة {person} إن القراءة ما زالت تحتل مكانة مهمة لدى الشباب العربي.",
            "كما يحتفي المهرجان بالتراث الشعبي من خلال عروض الفنون الأدائية والحرف اليدوية.",
            "وأعلنت {institution} عن جوائز جديدة لدعم الترجمة من اللغة العربية وإليها.",
        ],
    },
    "weather": {
        "title": ["أمطار غزيرة متوقعة على {city}", "{institution}: موجة حر خلال الأيام المقبلة"],
        "s": [
            "توقعت {institution} هطول أمطار رعدية غزيرة على {city} والمناطق المجاورة خلال الأيام المقبلة.",
            "ودعت الجهات المختصة السكان إلى الابتعاد عن مجاري السيول وتوخي الحذر أثناء القيادة.",
            "وقد تصل درجات الحرارة العظمى إلى {temp} درجة مئوية في المناطق الداخلية.",
            "وأوضح {person} أن الرياح النشطة قد تتسبب في تدني مدى الرؤية الأفقية.",
            "وتعمل فرق الدفاع المدني على مدار الساعة للتعامل مع أي طارئ.",
        ],
    },
    "encyclopedia": {
        "title": ["{city}", "تاريخ مدينة {city}"],
        "s": [
            "{city} مدينة عربية عريقة، وتعد من أهم المراكز الحضرية والتجارية في المنطقة.",
            "يعود تاريخ الاستيطان البشري فيها إلى آلاف السنين، وقد شهدت تعاقب حضارات عديدة.",
            "تتميز المدينة بمناخ {climate}، ويبلغ عدد سكانها نحو {num} ألف نسمة وفق آخر تعداد.",
            "وتضم عددا من المعالم التاريخية مثل الأسواق القديمة والمساجد والقلاع الأثرية.",
            "ويعتمد اقتصادها على التجارة والخدمات والسياحة، إضافة إلى الصناعات الخفيفة.",
            "وتحتضن المدينة جامعات ومراكز بحثية تسهم في الحركة العلمية والثقافية.",
        ],
    },
}
COUNTRIES = ["السعودية", "مصر", "المغرب", "الأردن", "قطر", "الإمارات", "تونس", "العراق", "الكويت", "عمان"]
CLIMATES = ["صحراوي حار صيفا ومعتدل شتاء", "متوسطي معتدل", "حار ورطب في فصل الصيف"]

ADS = [
    "عرض خاص!!! خصم {pct}% على جميع المنتجات اتصل الآن {phone} اتصل الآن {phone} العرض لفترة محدودة جدا",
    "اشتري الآن اشتري الآن اشتري الآن أفضل الأسعار أفضل الأسعار أفضل الأسعار توصيل مجاني واتساب {phone}",
    "شقق للبيع في {city} بأسعار لا تقبل المنافسة تقسيط مريح بدون فوائد للتواصل {phone} أو زوروا موقعنا",
    "ربح مضمون من المنزل!!! اربح {num} دولار يوميا بدون خبرة سجل الآن سجل الآن سجل الآن",
    "أفضل شركة تنظيف في {city} تنظيف فلل تنظيف شقق تنظيف خزانات تنظيف سجاد اتصل {phone} خصم {pct}%",
    "كريم تبييض البشرة الأصلي نتائج مضمونة خلال أسبوع اطلب الآن والدفع عند الاستلام {phone} {phone}",
]
OTHER_LANGUAGES = [
    ("en", "Markets closed higher on Tuesday as investors welcomed new inflation figures. Analysts said the "
           "central bank is likely to keep interest rates unchanged at its next meeting, while oil prices "
           "remained stable after a volatile week."),
    ("en", "The city council approved a new plan to expand public transport, adding three bus lines and a "
           "tram extension. Construction is expected to begin next spring and to last about two years."),
    ("en", "Researchers at the university have developed a low-cost water filter that removes most bacteria "
           "from river water. The team hopes to test the device in rural villages later this year."),
    ("en", "Click here to subscribe to our newsletter and get the latest deals delivered to your inbox. "
           "Terms and conditions apply. All rights reserved."),
    ("fr", "Le gouvernement a annoncé mardi un nouveau plan de soutien aux petites entreprises. Les mesures "
           "comprennent des prêts à taux réduit et une simplification des démarches administratives."),
    ("fr", "La ville accueille cette semaine un festival international de cinéma. Plus de cent films venus "
           "de quarante pays seront projetés dans les salles et en plein air."),
    ("fr", "Les températures devraient baisser à partir de jeudi, avec des pluies attendues sur le nord du "
           "pays. Les autorités recommandent la prudence sur les routes."),
    ("fa", "دولت برنامه تازه‌ای برای گسترش حمل‌ونقل عمومی در شهرهای بزرگ اعلام کرد. این طرح شامل خرید "
           "اتوبوس‌های برقی و ساخت خطوط جدید مترو است و تا پایان سال آینده اجرا خواهد شد."),
    ("fa", "کارشناسان می‌گویند قیمت مسکن در ماه‌های گذشته افزایش چشمگیری داشته است و بسیاری از خانواده‌ها "
           "برای خرید خانه با مشکل روبه‌رو هستند."),
    ("fa", "نمایشگاه بین‌المللی کتاب امسال با حضور ناشران داخلی و خارجی برگزار می‌شود و برنامه‌های ویژه‌ای "
           "برای کودکان و نوجوانان در نظر گرفته شده است."),
    ("ur", "حکومت نے ملک بھر میں نئے اسکول کھولنے کا اعلان کیا ہے۔ وزیر تعلیم کے مطابق اس منصوبے سے لاکھوں "
           "بچوں کو تعلیم کی سہولت ملے گی اور اساتذہ کی نئی بھرتیاں بھی کی جائیں گی۔"),
    ("ur", "محکمہ موسمیات نے آئندہ چند دنوں میں شدید بارشوں کی پیش گوئی کی ہے۔ شہریوں کو غیر ضروری سفر سے "
           "گریز کرنے کی ہدایت کی گئی ہے۔"),
]
JUNK = ["اضغط هنا", "تحميل...", "الصفحة غير موجودة 404", "123456", "شكرا", "....", "اقرأ المزيد >>",
        "تسجيل الدخول | إنشاء حساب"]

HARAKAT = ["\u064e", "\u064f", "\u0650", "\u0652"]


def fill(rng: random.Random, template: str, topic: dict, city: str) -> str:
    values = {
        "city": city, "institution": rng.choice(INSTITUTIONS), "person": rng.choice(PEOPLE),
        "period": rng.choice(PERIODS), "pct": str(rng.randint(2, 45)), "num": str(rng.randint(3, 900)),
        "country": rng.choice(COUNTRIES), "score": f"{rng.randint(1, 4)}-{rng.randint(0, 2)}",
        "temp": str(rng.randint(38, 49)), "climate": rng.choice(CLIMATES),
        "indicator": rng.choice(topic.get("indicator", ["المؤشر العام"])), "phone": phone(rng),
    }
    return template.format(**values)


def phone(rng: random.Random) -> str:
    return "05" + "".join(str(rng.randint(0, 9)) for _ in range(8))


def article(rng: random.Random, topic_name: str) -> tuple[str, str]:
    topic = TOPICS[topic_name]
    city = rng.choice(CITIES)
    title = fill(rng, rng.choice(topic["title"]), topic, city)
    # Distinct templates, in their order (a lead sentence before the ones that continue it), over 2-3 paragraphs:
    # an edited article says each thing once, so it passes the repetition rules and Gopher's 50-word minimum.
    n = len(topic["s"])
    picked = sorted(rng.sample(range(n), k=rng.randint(max(4, n - 2), n)))
    sentences = [fill(rng, topic["s"][i], topic, city) for i in picked]
    cuts = sorted(rng.sample(range(1, len(sentences)), k=min(len(sentences) - 1, rng.randint(1, 2))))
    bounds = [0, *cuts, len(sentences)]
    paragraphs = [" ".join(sentences[a:b]) for a, b in zip(bounds, bounds[1:])]
    return title, "\n\n".join(paragraphs)


# -- near-duplicate variants: what normalization folds, and what it does not --------------------------------------
def add_diacritics(rng: random.Random, text: str) -> str:
    out = []
    for ch in text:
        out.append(ch)
        if "\u0628" <= ch <= "\u064a" and rng.random() < 0.25:
            out.append(rng.choice(HARAKAT))
    return "".join(out)


def add_tatweel(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for i, w in enumerate(words):
        if len(w) > 3 and rng.random() < 0.2:
            words[i] = w[:2] + "\u0640\u0640" + w[2:]
    return " ".join(words)


def fold_variants(text: str) -> str:
    """Spellings a careless page uses: hamza-less alef, final ya/ta-marbuta as ha."""
    return (text.replace("إلى", "الى").replace("أن ", "ان ").replace("أكثر", "اكثر")
            .replace("ة ", "ه ").replace("إن ", "ان "))


def one_word_edit(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    i = rng.randrange(len(words))
    words[i] = rng.choice(["كذلك", "أيضا", "حاليا", "رسميا"])
    return " ".join(words)


def build(rng: random.Random) -> dict[str, object]:
    news: list[dict] = []
    n = 0

    def add(title: str, text, site: str | None = None, **extra) -> dict:
        nonlocal n
        n += 1
        site = site or rng.choice(SITES)
        rec = {"id": f"news-{n:04d}", "url": f"https://{site}.example/article/{n:04d}", "title": title,
               "date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "text": text, **extra}
        news.append(rec)
        return rec

    topics = list(TOPICS)
    originals = []
    for i in range(190):
        title, text = article(rng, topics[i % len(topics)])
        if rng.random() < 0.45:
            text += "\n\n" + rng.choice(FOOTERS)
        originals.append(add(title, text))
    # exact duplicates: the same page republished under a new id/url
    for rec in rng.sample(originals, 14):
        add(rec["title"], rec["text"])
    # near duplicates that normalization folds to the same content hash
    for fn in (lambda t: add_diacritics(rng, t), lambda t: add_tatweel(rng, t), fold_variants):
        for rec in rng.sample(originals, 6):
            add(rec["title"], fn(rec["text"]))
    # near duplicates that stay different after normalization (one word changed, a new footer)
    for rec in rng.sample(originals, 10):
        add(rec["title"], one_word_edit(rng, rec["text"]))
    for rec in rng.sample(originals, 6):
        add(rec["title"], rec["text"].split("\n\n")[0] + "\n\n" + rng.choice(FOOTERS))
    for template in ADS:
        for _ in range(2):
            add("إعلان", fill(rng, template, {}, rng.choice(CITIES)))
    for lang, text in OTHER_LANGUAGES:
        add("", text, lang_hint=lang)
    for text in JUNK:
        add("", text)

    lines = [json.dumps(rec, ensure_ascii=False) for rec in news]
    # Broken records, as a real crawl dump has them, scattered through the file.
    broken = [
        '{"id": "news-9001", "url": "https://almarsad.example/article/9001", "title": "خبر مقطوع", "text": "انقطع',
        "{'id': 'news-9002', 'text': 'علامات تنصيص مفردة ليست JSON'}",
        '{"id": "news-9003", "text": "نص سليم"} trailing',
        '{"id": "news-9004", "url": "https://almarsad.example/article/9004", "title": "بلا نص"}',
        '{"id": "news-9005", "title": "نص فارغ", "text": ""}',
        '{"id": "news-9006", "title": "مسافات فقط", "text": "   \\n\\t  "}',
        '{"id": "news-9007", "title": "نص رقمي", "text": 20240315}',
        '{"id": "news-9008", "title": "نص قائمة", "text": ["فقرة أولى", "فقرة ثانية"]}',
        '{"id": "news-9009", "title": "نص فارغ القيمة", "text": null}',
        '["ليس", "كائنا"]',
        "",
        json.dumps({"id": "news-0003", "title": "معرف مكرر", "text": "سجل يحمل معرف سجل سابق في الملف نفسه."},
                   ensure_ascii=False),
        json.dumps({"id": "news-9010", "title": "نص طويل جدا",
                    "text": " ".join(article(rng, "encyclopedia")[1] for _ in range(12))}, ensure_ascii=False),
    ]
    for line in broken:
        lines.insert(rng.randrange(len(lines) + 1), line)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    bad_utf8 = b'{"id": "news-9011", "title": "\xd8\xae\xd8\xa8\xd8\xb1", "text": "\xd9\x86\xd8\xb5 \xff\xfe \xd9"}\n'
    data += bad_utf8

    # Wire stories republished by several papers (.zst): same body, each paper's prefix and footer.
    wire = []
    for w in range(5):
        title, body = article(rng, rng.choice(["economy", "health", "technology"]))
        for j, site in enumerate(rng.sample(SITES, 4)):
            prefix = rng.choice(["الرياض - واس:", "(واس) -", "وكالات -", ""])
            text = f"{prefix} {body}".strip() + "\n\n" + FOOTERS[j % len(FOOTERS)]
            wire.append({"id": f"wire-{w}-{j}", "url": f"https://{site}.example/wire/{w}", "title": title,
                         "date": "2024-06-0" + str(w + 1), "text": text})
    wire_data = ("\n".join(json.dumps(r, ensure_ascii=False) for r in wire) + "\n").encode("utf-8")

    forum_rows = []
    for k in range(10):
        title, text = article(rng, rng.choice(topics))
        forum_rows.append([f"forum-{k}", f"https://muntada.example/t/{k}", title, "2023-11-0" + str(k % 9 + 1),
                           text.split("\n\n")[0] + "\n" + rng.choice(["شكرا على الموضوع", "موضوع مفيد", "بارك الله فيك"])])
    forum_rows.append(["forum-10", "https://muntada.example/t/10", "رد فارغ", "2023-11-20", ""])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "url", "title", "date", "text"])
    writer.writerows(forum_rows)
    csv_text = buf.getvalue() + "forum-11,https://muntada.example/t/11,عمود زائد,2023-11-21,نص,زائد\n"

    pages = {}
    for k in range(5):
        title, text = article(rng, "encyclopedia")
        pages[f"pages/page_{k:02d}.txt"] = (title + "\n\n" + text + "\n").encode("utf-8")
    pages["pages/page_05.txt"] = b""  # an empty page
    pages["pages/page_06.txt"] = "صفحة بترميز قديم".encode("cp1256")  # not UTF-8
    return {"news.jsonl.gz": data, "wire.jsonl.zst": wire_data, "forum.csv": csv_text.encode("utf-8"), **pages}


def write(out: Path) -> None:
    rng = random.Random(SEED)
    files = build(rng)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".gz"):
            with open(path, "wb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
                gz.write(data)
        elif name.endswith(".zst"):
            path.write_bytes(zstandard.ZstdCompressor(level=19).compress(data))
        else:
            path.write_bytes(data)
        print(f"{path.relative_to(out.parent.parent.parent)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    write(parser.parse_args().out)
