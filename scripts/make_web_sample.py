"""Write WARC/WET test files from news articles, with a ground-truth JSONL beside them (deterministic by --seed).

Each article becomes a news page in one of four site templates written here (navigation, breadcrumbs, share
buttons, related links, comments, cookie banner, ads, footer, scripts and styles around the article), served in one
of several encoding cases: UTF-8 (declared, meta only, undeclared, with a BOM), windows-1256 and ISO-8859-6
(declared in the HTTP header, in ``<meta charset>`` or ``http-equiv``, or not at all) and mis-declared pages (the
header or meta names the wrong charset). Around them: undecodable pages (random bytes), empty shell pages, blocked
URLs, 404 and 301 responses, an image, a revisit, request / metadata / warcinfo records, and in every other file a
last record cut short (a truncated download). A WET file with ``conversion`` records goes beside each WARC.

    python scripts/make_web_sample.py --out /tmp/web --n 300            # SaudiNewsNet (../shared/data) if present
    python scripts/make_web_sample.py --sample                          # rewrites native_align/data/web_sample

``truth.jsonl``: one line per WARC/WET record: file, position, record_id, record_type, url, outcome (``document``,
``quarantine:<reason>``, ``skipped:<kind>``, ``url_filtered:<rule>``), case, template, title, text (the article
content, or the WET text), boilerplate (the template's visible text) and html_sha1 (SHA-1 of the UTF-8 of the
exact text a correct decoder must produce).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from urllib.parse import quote

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

REPO = Path(__file__).resolve().parent.parent
SHARED_ARTICLES = REPO.parent / "shared" / "data" / "corpus" / "saudinewsnet.jsonl.gz"
OWN_ARTICLES = Path(__file__).resolve().with_name("web_sample_articles.jsonl")
SAMPLE_OUT = REPO / "native_align" / "data" / "web_sample"

# name: (weight, codec of the bytes, HTTP charset, meta kind, meta charset). Labels vary as servers write them.
ENCODING_CASES: dict[str, tuple[int, str, str | None, str | None, str | None]] = {
    "utf8": (30, "utf-8", "utf-8", "charset", "utf-8"),
    "utf8_meta_only": (8, "utf-8", None, "charset", "UTF-8"),
    "utf8_undeclared": (4, "utf-8", None, None, None),
    "utf8_bom": (6, "utf-8-sig", None, None, None),
    "cp1256_header": (8, "windows-1256", "windows-1256", "http-equiv", "windows-1256"),
    "cp1256_http_equiv": (6, "windows-1256", None, "http-equiv", "Windows-1256"),
    "cp1256_undeclared": (4, "windows-1256", None, None, None),
    "iso8859_6_header": (5, "iso-8859-6", "ISO-8859-6", None, None),
    "iso8859_6_meta": (4, "iso-8859-6", None, "charset", "iso-8859-6"),
    "mis_utf8_is_cp1256": (5, "windows-1256", "utf-8", "charset", "utf-8"),
    "mis_latin1_is_cp1256": (4, "windows-1256", "iso-8859-1", None, None),
    "mis_latin1_is_utf8": (4, "utf-8", "iso-8859-1", None, None),
    "mis_cp1256_is_utf8": (4, "utf-8", None, "http-equiv", "windows-1256"),
    "mis_utf8_is_iso8859_6": (3, "iso-8859-6", "utf-8", None, None),
}
# Pages that are not plain articles, as a share of all pages.
SPECIAL_CASES = {"undecodable": 0.03, "shell": 0.03, "url_domain": 0.01, "url_word": 0.01, "url_soft": 0.01,
                 "http_404": 0.015, "redirect_301": 0.015, "image": 0.02, "revisit": 0.02}
BLOCKED_HOSTS = ["www.casino-jackpot.example", "ar.casino-jackpot.example", "free-bets-arab.example"]


@dataclass(frozen=True)
class Site:
    name: str
    domain: str
    template: str


SITES = [Site("صحيفة الواحة", "www.alwaha-news.example", "portal"),
         Site("أخبار الساحل", "sahel-akhbar.example", "legacy"),
         Site("المرصد اليومي", "www.almarsad-daily.example", "html5"),
         Site("وكالة نبأ الخليج", "news.naba-gulf.example", "agency")]
NAV = ["الرئيسية", "محليات", "اقتصاد", "رياضة", "ثقافة وفنون", "تقنية", "منوعات", "مقالات الرأي", "فيديو",
       "اتصل بنا"]
SECTIONS = ["محليات", "اقتصاد", "ثقافة وفنون", "منوعات", "تقنية"]
COOKIE = ("نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا وتحليل حركة الزيارات، وبمتابعة التصفح فإنك "
          "توافق على سياسة الخصوصية الخاصة بنا")
SHARE = ["شارك", "تويتر", "فيسبوك", "واتساب", "تيليجرام", "نسخ الرابط", "طباعة"]
ADS = ["تمويل عقاري بأقساط مريحة ودون دفعة أولى لفترة محدودة", "احصل على خصم يصل إلى النصف على باقات الإنترنت "
       "المنزلي", "اشترك الآن في النسخة الرقمية واقرأ بلا إعلانات", "عروض الصيف على تذاكر الطيران تبدأ من اليوم"]
FOOTER_LINKS = ["من نحن", "سياسة الخصوصية", "شروط الاستخدام", "أعلن معنا", "فريق التحرير", "خريطة الموقع"]
COMMENTERS = ["أبو فهد", "مواطن غيور", "سارة م.", "ناصر", "قارئ دائم", "أم عبدالله", "زائر"]
COMMENTS = ["مقال رائع وشكرا للكاتب على هذا الطرح المميز، نتمنى المزيد من هذه التقارير الميدانية",
            "أتمنى أن تهتم الجهات المعنية بالأحياء البعيدة أيضا وليس فقط بوسط المدينة",
            "تجربة جميلة حضرتها مع أطفالي العام الماضي والتنظيم كان ممتازا",
            "المعلومات في الفقرة الثانية تحتاج إلى مصدر واضح، أرجو التدقيق قبل النشر",
            "الله يوفق القائمين على هذه المبادرة ويجزاهم خير",
            "متى يبدأ التسجيل؟ ولماذا لا يوجد رقم للتواصل في الخبر؟",
            "كلام جميل لكن التطبيق على أرض الواقع شيء آخر تماما",
            "نرجو من الصحيفة متابعة الموضوع ونشر النتائج بعد شهر",
            "أول مرة أسمع بهذا الخبر، شكرا على المعلومة المفيدة 👍",
            "لماذا تتأخر مثل هذه المشاريع في مدينتنا دائما؟"]
TICKER = ["عاجل: انخفاض درجات الحرارة في المناطق الشمالية مطلع الأسبوع",
          "عاجل: تمديد ساعات عمل المراكز الصحية خلال الإجازة"]
STYLE = ("<style>body{font-family:Tahoma,Arial;margin:0}.nav a{padding:4px 8px}.ad-slot{min-height:90px;"
         "background:#f4f4f4}#cookie{position:fixed;bottom:0}</style>")
ANALYTICS = ("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
             "gtag('js',new Date());gtag('config','G-0000000');</script>")


@dataclass
class Page:
    """A page under construction: its HTML, the template's visible text, and all visible text in order (WET)."""

    html: list[str] = field(default_factory=list)
    boiler: list[str] = field(default_factory=list)
    visible: list[str] = field(default_factory=list)

    def add(self, html: str, *texts: str, boiler: bool = True) -> None:
        self.html.append(html)
        (self.boiler if boiler else []).extend(texts)
        self.visible.extend(t for t in texts if t)


def _links(items: list[str], cls: str) -> str:
    return f'<ul class="{cls}">' + "".join(f'<li><a href="/{i}">{escape(t)}</a></li>'
                                           for i, t in enumerate(items)) + "</ul>"


def _comments(p: Page, rng: random.Random, tag: str) -> None:
    picked = rng.sample(range(len(COMMENTS)), rng.randint(2, 5))
    p.add(f'<{tag} class="comments" id="comments"><h3>التعليقات ({len(picked)})</h3>', f"التعليقات ({len(picked)})")
    for k in picked:
        who, text = rng.choice(COMMENTERS), COMMENTS[k]
        p.add(f'<div class="comment"><span class="author">{escape(who)}</span><p>{escape(text)}</p>'
              f'<a class="reply" href="#">رد</a> <span class="likes">إعجاب {rng.randint(0, 40)}</span></div>',
              who, text, "رد إعجاب")
    p.add('<form class="comment-form"><h4>أضف تعليقك</h4><input placeholder="الاسم"><input '
          'placeholder="البريد الإلكتروني"><textarea></textarea><button>إرسال</button></form>'
          f"</{tag}>", "أضف تعليقك", "إرسال")


def _ad(p: Page, rng: random.Random) -> None:
    text = rng.choice(ADS)
    p.add(f'<div class="ad-slot"><span class="ad-label">إعلان</span><a href="https://ads.example/c?id='
          f'{rng.randint(1, 999)}">{escape(text)}</a></div>', "إعلان", text)


def _head(p: Page, title: str, site: Site, meta: str, lead: str) -> None:
    p.add(f"<!DOCTYPE html>\n<html lang=\"ar\" dir=\"rtl\">\n<head>\n{meta}<title>{escape(title)} | "
          f"{escape(site.name)}</title>\n"
          f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
          f'<meta name="description" content="{escape(lead)}">\n'
          + (f'<meta property="og:title" content="{escape(title)}">\n' if site.template in OG_TITLE else "")
          + f"{STYLE}\n{ANALYTICS}\n</head>\n",
          f"{title} | {site.name}", boiler=False)


def _cookie(p: Page) -> None:
    p.add(f'<div id="cookie" class="cookie-banner"><p>{COOKIE}</p><button>موافق</button>'
          "<button>إدارة التفضيلات</button></div>", COOKIE, "موافق", "إدارة التفضيلات")


def _footer(p: Page, site: Site, tag: str = "div") -> None:
    copy = f"جميع الحقوق محفوظة © 2024 {site.name}، ولا يجوز نسخ المحتوى أو إعادة نشره دون إذن مكتوب"
    p.add(f'<{tag} class="footer" id="footer">{_links(FOOTER_LINKS, "footer-links")}<p>{escape(copy)}</p>'
          f"</{tag}>", *FOOTER_LINKS, copy)


def _article(p: Page, paras: list[str], tag: str = "p") -> None:
    for para in paras:
        p.add(f"<{tag}>{escape(para)}</{tag}>\n", para, boiler=False)


def portal(p: Page, a: dict, site: Site, rng: random.Random, related: list[str]) -> None:
    """Div layout: top bar, menu, breadcrumbs, article with share bar, related box, comments, footer."""
    section = rng.choice(SECTIONS)
    p.add('<body><div class="topbar"><a href="/login">تسجيل الدخول</a> <a href="/subscribe">اشترك</a></div>',
          "تسجيل الدخول", "اشترك")
    p.add(f'<div class="header"><a class="logo" href="/">{escape(site.name)}</a>'
          f'<div class="nav">{_links(NAV, "menu")}</div></div>', site.name, *NAV)
    p.add(f'<div class="breadcrumbs"><a href="/">الرئيسية</a> › <a href="/s">{section}</a> › '
          f"<span>{escape(a['title'])}</span></div>", "الرئيسية", section)
    _ad(p, rng)
    p.add(f'<div class="content"><div class="article"><h1 class="title">{escape(a["title"])}</h1>', a["title"],
          boiler=False)
    p.add(f'<div class="meta">بقلم {escape(a["author"])} | {escape(a["date"])}</div>', "بقلم", boiler=True)
    p.add('<div class="article-body">', boiler=False)
    _article(p, a["paras"])
    p.add("</div>", boiler=False)
    share = " ".join(f'<a href="#">{s}</a>' for s in SHARE)
    p.add(f'<div class="share">{share}</div></div>', *SHARE)
    p.add(f'<div class="related"><h3>أخبار ذات صلة</h3>{_links(related, "related-list")}</div></div>',
          "أخبار ذات صلة", *related)
    _comments(p, rng, "div")
    _cookie(p)
    _footer(p, site)
    p.add("</body></html>")


def legacy(p: Page, a: dict, site: Site, rng: random.Random, related: list[str]) -> None:
    """Table layout of older Arabic sites: marquee ticker, side menu, paragraphs split by <br>, most-read list."""
    p.add(f'<body bgcolor="#ffffff"><table width="100%"><tr><td colspan="2"><font size="5">{escape(site.name)}'
          f'</font><marquee>{escape(" - ".join(TICKER))}</marquee></td></tr>', site.name, *TICKER)
    p.add(f'<tr><td width="180" valign="top" class="side">{_links(NAV, "sidemenu")}', *NAV)
    p.add(f'<b>الأكثر قراءة</b>{_links(related, "mostread")}', "الأكثر قراءة", *related)
    _ad(p, rng)
    p.add(f'</td><td valign="top"><font face="Tahoma" size="4"><b>{escape(a["title"])}</b></font><br>', a["title"],
          boiler=False)
    p.add(f'<font size="2" color="gray">{escape(a["date"])} - {escape(a["author"])}</font><br><br>',
          boiler=False)
    p.add('<font face="Tahoma" size="3" class="text">' + "<br><br>\n".join(escape(x) for x in a["paras"])
          + "</font><br>", *a["paras"], boiler=False)
    p.add('<br><a href="javascript:print()">طباعة</a> | <a href="mailto:?">أرسل لصديق</a>', "طباعة", "أرسل لصديق")
    _comments(p, rng, "div")
    p.add('</td></tr><tr><td colspan="2">')
    _footer(p, site)
    p.add("</td></tr></table></body></html>")


def html5(p: Page, a: dict, site: Site, rng: random.Random, related: list[str]) -> None:
    """Semantic HTML5: header/nav, main/article with a figure, aside, comments section, newsletter, footer."""
    p.add(f'<body><header><a href="/" class="brand">{escape(site.name)}</a><nav>{_links(NAV, "nav")}</nav>'
          '<form role="search"><input placeholder="ابحث في الموقع"></form></header>', site.name, *NAV)
    _cookie(p)
    p.add(f'<main><article><header><h1>{escape(a["title"])}</h1>', a["title"], boiler=False)
    p.add(f'<p class="byline"><time>{escape(a["date"])}</time> — {escape(a["author"])}</p></header>',
          boiler=False)
    p.add('<figure><img src="/img/cover.jpg" alt=""><figcaption>صورة أرشيفية</figcaption></figure>',
          "صورة أرشيفية")
    p.add('<div class="entry-content">', boiler=False)
    half = max(1, len(a["paras"]) // 2)
    _article(p, a["paras"][:half])
    _ad(p, rng)
    _article(p, a["paras"][half:])
    p.add("</div>", boiler=False)
    tags = " ".join(f'<a href="/t">{s}</a>' for s in SECTIONS[:3])
    p.add(f'<div class="tags">الوسوم: {tags}</div>', "الوسوم", *SECTIONS[:3])
    p.add("</article>", boiler=False)
    _comments(p, rng, "section")
    p.add(f'</main><aside><h2>اقرأ أيضا</h2>{_links(related, "aside-list")}', "اقرأ أيضا", *related)
    p.add('<div class="newsletter">اشترك في نشرتنا البريدية ليصلك ملخص الأخبار كل صباح<input type="email">'
          "<button>اشترك</button></div></aside>", "اشترك في نشرتنا البريدية ليصلك ملخص الأخبار كل صباح", "اشترك")
    _footer(p, site, tag="footer")
    p.add('<script type="application/ld+json">{"@type": "NewsArticle", "publisher": "' + site.domain
          + '"}</script></body></html>')


def agency(p: Page, a: dict, site: Site, rng: random.Random, related: list[str]) -> None:
    """News-agency div soup: breaking bar, story body with an inline read-also box, tags, print/email bar."""
    p.add(f'<body><div id="breaking"><span>عاجل</span> {escape(TICKER[0])}</div>', "عاجل", TICKER[0])
    p.add(f'<div id="masthead"><h2>{escape(site.name)}</h2><div id="menu">{_links(NAV, "menu")}</div></div>',
          site.name, *NAV)
    p.add(f'<div id="story"><div class="story-title"><h1>{escape(a["title"])}</h1></div>', a["title"],
          boiler=False)
    p.add(f'<div class="story-date">{escape(a["date"])}</div><div class="story-body">', boiler=False)
    paras = a["paras"]
    _article(p, paras[:1])
    box = related[:2]
    p.add(f'<div class="read-also"><strong>اقرأ أيضا:</strong>{_links(box, "inline")}</div>', "اقرأ أيضا", *box)
    _article(p, paras[1:])
    p.add('</div><div class="tools"><a href="#">طباعة</a> <a href="#">إرسال بالبريد</a> <a href="#">تكبير الخط</a>'
          "</div></div>", "طباعة", "إرسال بالبريد", "تكبير الخط")
    _ad(p, rng)
    p.add(f'<div id="more"><h3>المزيد من الأخبار</h3>{_links(related[2:], "more")}</div>', "المزيد من الأخبار",
          *related[2:])
    _comments(p, rng, "div")
    _cookie(p)
    _footer(p, site)
    p.add("</body></html>")


OG_TITLE = {"html5", "agency"}  # older templates have no Open Graph tags
TEMPLATES = {"portal": portal, "legacy": legacy, "html5": html5, "agency": agency}


def meta_tag(kind: str | None, charset: str | None) -> str:
    if kind == "charset":
        return f'<meta charset="{charset}">\n'
    if kind == "http-equiv":
        return f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
    return ""


def render(a: dict, site: Site, rng: random.Random, related: list[str], meta: str) -> Page:
    p = Page()
    _head(p, a["title"], site, meta, a["paras"][0][:120] if a["paras"] else "")
    TEMPLATES[site.template](p, a, site, rng, related)
    return p


def shell_page(site: Site) -> Page:
    """A client-rendered page whose HTML has no text of its own."""
    p = Page()
    p.add(f'<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>{escape(site.name)}</title>{STYLE}'
          f'</head><body><div id="app"></div><script src="/static/app.3f9a.js"></script>{ANALYTICS}</body></html>',
          site.name, boiler=True)
    return p


# -- records --------------------------------------------------------------------------------------------------------
class Writer:
    """Serializes records one by one (so a file's last record can be cut) with ids and dates drawn from the seed."""

    def __init__(self, rng: random.Random, gz: bool = True):
        self.rng, self.gz, self.when = rng, gz, datetime(2024, 3, 1, tzinfo=timezone.utc)

    def new_id(self) -> str:
        return f"<urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}>"

    def date(self) -> str:
        self.when += timedelta(seconds=self.rng.randint(1, 90))
        return self.when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def record(self, uri: str, rtype: str, payload: bytes, http: StatusAndHeaders | None = None,
               ctype: str = "", extra: dict | None = None, rid: str | None = None) -> tuple[bytes, str]:
        rid = rid or self.new_id()
        buf = io.BytesIO()
        w = WARCWriter(buf, gzip=self.gz)
        headers = {"WARC-Record-ID": rid, "WARC-Date": self.date(), **(extra or {})}
        rec = w.create_warc_record(uri, rtype, payload=io.BytesIO(payload), http_headers=http,
                                   warc_content_type=ctype, warc_headers_dict=headers)
        w.write_record(rec)
        return buf.getvalue(), rid


def http_response(status: str, ctype: str, body: bytes, extra: list | None = None) -> StatusAndHeaders:
    headers = [("Date", "Fri, 01 Mar 2024 08:00:00 GMT"), ("Server", "nginx"), ("Content-Type", ctype),
               ("Content-Length", str(len(body))), *(extra or []), ("Connection", "close")]
    return StatusAndHeaders(status, headers, protocol="HTTP/1.1")


def encode_page(html: str, case: str) -> tuple[bytes, str, str | None]:
    """(body bytes, what a correct decoder yields, HTTP charset) for one encoding case."""
    _, codec, http_cs, _, _ = ENCODING_CASES[case]
    body = html.encode(codec, "xmlcharrefreplace")
    plain = body[3:] if codec == "utf-8-sig" else body
    return body, plain.decode("utf-8" if codec == "utf-8-sig" else codec), http_cs


def load_articles(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                paras = [x.strip() for x in (rec.get("content") or "").split("\n") if x.strip()]
                out.append({"title": (rec.get("title") or "").strip(), "author": (rec.get("author") or "").strip(),
                            "date": (rec.get("date_extracted") or "")[:10], "paras": paras,
                            "content": "\n".join(paras)})
    return out


def _slug(a: dict, rng: random.Random) -> str:
    words = a["title"].split()[:5]
    return f"{rng.randint(10000, 99999)}/" + quote("-".join(words))


def draw_cases(rng: random.Random, n: int, cover: bool) -> list[str]:
    """One case per page: drawn by the weights above, or (``cover``) every case at least once, in random order."""
    if cover:
        cases = list(SPECIAL_CASES) + list(ENCODING_CASES)
        cases += [rng.choice(list(ENCODING_CASES)) for _ in range(max(0, n - len(cases)))]
        rng.shuffle(cases)
        return cases[:n]
    names, weights = list(ENCODING_CASES), [v[0] for v in ENCODING_CASES.values()]
    out = []
    for _ in range(n):
        special = next((k for k, p in SPECIAL_CASES.items() if rng.random() < p), None)
        out.append(special or rng.choices(names, weights=weights)[0])
    return out


def build_file(name: str, arts: list[dict], cases: list[str], titles: list[str], rng: random.Random,
               truncate: bool, p_request: float, p_metadata: float) -> tuple[bytes, bytes, list[dict], list[dict]]:
    """One WARC (and its WET) from ``arts`` served as ``cases``: (warc bytes, wet bytes, truth rows, WET truth)."""
    w, chunks, truth, wet_items = Writer(rng), [], [], []

    def emit(data: bytes, rid: str, rtype: str, url: str | None, outcome: str, **info) -> None:
        truth.append({"file": name, "position": len(chunks), "record_id": rid, "record_type": rtype, "url": url,
                      "outcome": outcome, **info})
        chunks.append(data)

    info_id = w.new_id()
    emit(*w.record("", "warcinfo", b"software: make_web_sample.py\r\nformat: WARC File Format 1.1\r\n",
                   ctype="application/warc-fields", extra={"WARC-Filename": name}, rid=info_id),
         "warcinfo", None, "skipped:warcinfo")
    common = {"WARC-Warcinfo-ID": info_id, "WARC-IP-Address": "192.0.2.10"}
    for i, (a, case) in enumerate(zip(arts, cases)):
        last = truncate and i == len(arts) - 1
        special = case if case in SPECIAL_CASES and not last else None
        site = rng.choice(SITES)
        host = rng.choice(BLOCKED_HOSTS) if special == "url_domain" else site.domain
        path = {"url_word": "/videos/porn-clips/", "url_soft": "/hot-adult/sexy-"}.get(special or "", "/news/")
        url = f"https://{host}{path}{_slug(a, rng)}"
        if rng.random() < p_request and special != "revisit":
            req = StatusAndHeaders(f"GET {path}x HTTP/1.1", [("Host", host), ("User-Agent", "TestBot/1.0")],
                                   is_http_request=True)
            emit(*w.record(url, "request", b"", http=req, extra=common), "request", url, "skipped:request")
        base = {"case": special, "template": site.template}
        if special == "image":
            body = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(600)
            url = url.replace("/news/", "/img/") + ".jpg"
            emit(*w.record(url, "response", body,
                           http=http_response("200 OK", "image/jpeg", body),
                           extra={**common, "WARC-Identified-Payload-Type": "image/jpeg"}),
                 "response", url, "skipped:non_html", **base)
            continue
        if special == "revisit":
            head = http_response("200 OK", "text/html; charset=utf-8", b"")
            extra = {**common, "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
                     "WARC-Refers-To-Target-URI": url, "WARC-Payload-Digest": "sha1:" + "A" * 32}
            emit(*w.record(url, "revisit", b"", http=head, extra=extra), "revisit", url, "skipped:revisit", **base)
            continue
        if special == "redirect_301":
            head = http_response("301 Moved Permanently", "text/html", b"", [("Location", url + "/")])
            emit(*w.record(url, "response", b"", http=head, extra={**common, "WARC-Identified-Payload-Type":
                                                                          "text/html"}),
                 "response", url, "skipped:http_status", **base)
            continue
        if special == "undecodable":
            body = rng.randbytes(rng.randint(800, 3000))
            ctype = rng.choice(["text/html", "text/html; charset=utf-8"])
            extra = {**common, "WARC-Identified-Payload-Type": "application/octet-stream"}
            emit(*w.record(url, "response", body, http=http_response("200 OK", ctype, body), extra=extra),
                 "response", url, "quarantine:undecodable", **base)
            continue
        case = "utf8" if special or case not in ENCODING_CASES else case
        related = rng.sample([t for t in titles if t != a["title"]], min(5, len(titles) - 1))
        if special == "shell":
            page = shell_page(site)
        else:
            page = render(a, site, rng, related, meta_tag(*ENCODING_CASES[case][3:]))
        html = "\n".join(page.html)
        if special == "http_404":
            html = html.replace("</h1>", "</h1><p>عذرا، الصفحة التي تبحث عنها غير موجودة</p>", 1)
        body, decoded, http_cs = encode_page(html, case)
        ctype = "text/html" + (f"; charset={http_cs}" if http_cs else "")
        status = "404 Not Found" if special == "http_404" else "200 OK"
        if special == "http_404":
            outcome = "skipped:http_status"
        elif special in ("url_domain", "url_word", "url_soft"):
            outcome = {"url_domain": "url_filtered:domain", "url_word": "url_filtered:banned_word",
                       "url_soft": "url_filtered:soft_words"}[special]
        elif last:
            outcome = "quarantine:truncated_record"
        elif special == "shell" or not a["paras"]:
            outcome = "quarantine:no_main_text"
        else:
            outcome = "document"
        data, rid = w.record(url, "response", body, http=http_response(status, ctype, body),
                             extra={**common, "WARC-Identified-Payload-Type": "text/html"})
        if last:
            data = data[: len(data) * 3 // 5]
        emit(data, rid, "response", url, outcome, **{**base, "case": special or case}, title=a["title"],
             text=a["content"] if not special else "", boilerplate="\n".join(page.boiler),
             html_sha1=hashlib.sha1(decoded.encode("utf-8")).hexdigest())
        if outcome in ("document", "quarantine:no_main_text") and not last:
            wet_items.append((url, rid, "\n".join(page.visible)))
        if rng.random() < p_metadata and not last:
            meta = f"fetchTimeMs: {rng.randint(50, 900)}\r\ncharset-detected: {case}\r\n".encode()
            emit(*w.record(url, "metadata", meta, ctype="application/warc-fields",
                           extra={**common, "WARC-Concurrent-To": rid}), "metadata", url, "skipped:metadata")
    wet, wet_truth = build_wet(name.replace(".warc.gz", ".warc.wet.gz"), wet_items, Writer(rng))
    return b"".join(chunks), wet, truth, wet_truth


def build_wet(name: str, items: list[tuple[str, str, str]], w: Writer) -> tuple[bytes, list[dict]]:
    """The WET beside a WARC: a warcinfo, then one ``conversion`` record of plain text per HTML page."""
    data, rid = w.record("", "warcinfo", b"software: make_web_sample.py\r\n", ctype="application/warc-fields",
                         extra={"WARC-Filename": name})
    chunks, truth = [data], [{"file": name, "position": 0, "record_id": rid, "record_type": "warcinfo",
                              "url": None, "outcome": "skipped:warcinfo"}]
    for url, refers, text in items:
        text = text.strip()
        data, rid = w.record(url, "conversion", text.encode("utf-8"), ctype="text/plain",
                             extra={"WARC-Refers-To": refers, "WARC-Block-Digest": "sha1:" + "B" * 32})
        truth.append({"file": name, "position": len(chunks), "record_id": rid, "record_type": "conversion",
                      "url": url, "outcome": "document" if text else "quarantine:no_main_text", "text": text})
        chunks.append(data)
    return b"".join(chunks), truth


def generate(articles: list[dict], out: Path, n: int, seed: int, per_file: int = 60, p_request: float = 0.5,
             p_metadata: float = 0.25, prefix: str = "web", cover: bool = False) -> dict:
    """Write ``n`` pages in files of ``per_file`` pages under ``out``; returns counts by outcome."""
    rng = random.Random(seed)
    picked = [articles[i] for i in (rng.sample(range(len(articles)), n) if n <= len(articles)
                                    else [rng.randrange(len(articles)) for _ in range(n)])]
    cases = draw_cases(rng, n, cover)
    titles = [a["title"] for a in articles if a["title"]][:5000]
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    for k, start in enumerate(range(0, n, per_file)):
        name = f"{prefix}-{k:05d}.warc.gz"
        warc, wet, truth, wet_truth = build_file(name, picked[start:start + per_file],
                                                 cases[start:start + per_file], titles, rng,
                                                 truncate=k % 2 == 1 or n <= per_file, p_request=p_request,
                                                 p_metadata=p_metadata)
        (out / name).write_bytes(warc)
        (out / name.replace(".warc.gz", ".warc.wet.gz")).write_bytes(wet)
        rows += truth + wet_truth
    with open(out / "truth.jsonl", "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=Path, help="JSONL(.gz) with title/content/author/date_extracted; default "
                    "SaudiNewsNet when ../shared/data is present, else scripts/web_sample_articles.jsonl")
    ap.add_argument("--out", type=Path, help="output folder")
    ap.add_argument("--n", type=int, default=300, help="pages (one article each)")
    ap.add_argument("--per-file", type=int, default=60, help="pages per WARC file")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--sample", action="store_true", help="rewrite native_align/data/web_sample from the "
                    "self-written articles")
    args = ap.parse_args(argv)
    if args.out is None and not args.sample:
        ap.error("--out is required (or --sample)")
    path = args.articles or (OWN_ARTICLES if args.sample or not SHARED_ARTICLES.exists() else SHARED_ARTICLES)
    if args.sample:  # every case once, few request/metadata records: ~35 records in one small file
        counts = generate(load_articles(path), args.out or SAMPLE_OUT, 24, args.seed, 24, p_request=0.15,
                          p_metadata=0.1, prefix="sample", cover=True)
    else:
        counts = generate(load_articles(path), args.out, args.n, args.seed, args.per_file)
    summary = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
    print(f"wrote {args.out or SAMPLE_OUT} from {path.name}: {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
