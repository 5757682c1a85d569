"""Seeded generator of labelled PII and hard negatives inside Arabic text (for ``eval pii`` and the tests).

Values are generated from this module's own format descriptions (not from the detectors' tables), with valid
checksums (Luhn, mod-97) and in Latin, Arabic-Indic (٠-٩) or Extended (۰-۹) digits. Hard negatives are the numbers
news is full of - years, dates, prices, percentages, article and decision numbers, times, scores, counts - plus
invalid-checksum cards, IBANs and ids. Same seed, same documents.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from native_align.pii.checksums import iban_check_digits, luhn_check_digit

DIGIT_SYSTEMS = ("latin", "arabic", "extended")
_TO = {"arabic": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"), "extended": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}

# iso: (calling code, national trunk 0?, mobile prefixes and NSN length, landline prefixes and NSN length)
PHONE_PLANS: dict[str, tuple[str, bool, tuple[tuple[str, ...], int], tuple[tuple[str, ...], int]]] = {
    "SA": ("966", True, (("50", "53", "54", "55", "56", "57", "58", "59"), 9),
           (("11", "12", "13", "14", "16", "17"), 9)),
    "AE": ("971", True, (("50", "52", "54", "55", "56", "58"), 9), (("2", "3", "4", "6", "7", "9"), 8)),
    "KW": ("965", False, (("5", "6", "9"), 8), (("2",), 8)),
    "QA": ("974", False, (("3", "5", "6", "7"), 8), (("4",), 8)),
    "BH": ("973", False, (("3", "6"), 8), (("17",), 8)),
    "OM": ("968", False, (("9", "7"), 8), (("2",), 8)),
    "EG": ("20", True, (("10", "11", "12", "15"), 10), (("2",), 9)),
    "JO": ("962", True, (("77", "78", "79"), 9), (("6", "2", "3", "5"), 8)),
    "LB": ("961", True, (("3",), 7), (("1", "4", "5", "6", "8", "9"), 7)),
    "SY": ("963", True, (("93", "94", "95", "96", "98", "99"), 9), (("11", "21", "31", "41"), 9)),
    "PS": ("970", True, (("59", "56"), 9), (("2", "4", "8", "9"), 8)),
    "MA": ("212", True, (("6", "7"), 9), (("5",), 9)),
    "DZ": ("213", True, (("5", "6", "7"), 9), (("21", "31", "41"), 8)),
    "TN": ("216", False, (("2", "5", "9"), 8), (("7",), 8)),
}
# BBAN: (length after the 4 leading characters, leading upper-case bank letters)
IBAN_SHAPES: dict[str, tuple[int, int]] = {
    "SA": (20, 0), "AE": (19, 0), "EG": (25, 0), "JO": (26, 4), "KW": (26, 4), "QA": (25, 4), "BH": (18, 4),
    "LB": (24, 0), "MA": (24, 0), "TN": (20, 0), "PS": (25, 4), "IQ": (19, 4), "OM": (19, 0), "DE": (18, 0),
    "GB": (18, 4), "FR": (23, 0), "TR": (22, 0),
}
CARD_BRANDS: tuple[tuple[str, int], ...] = (
    ("4", 16), ("4", 19), ("51", 16), ("55", 16), ("2221", 16), ("2720", 16), ("34", 15), ("37", 15), ("6011", 16),
    ("35", 16), ("588845", 16), ("62", 19), ("62", 16), ("36", 14), ("5078", 16),
)
EG_GOVERNORATES = ("01", "02", "03", "04", "12", "13", "16", "21", "24", "25", "88")
NAMES = ("ahmed", "mohammed", "sara", "fatima", "khalid", "noura", "omar", "layla", "abdullah", "reem", "yousef")
DOMAINS = ("gmail.com", "hotmail.com", "yahoo.com", "outlook.sa", "ksu.edu.sa", "moe.gov.sa", "example.ae",
           "mail.eg", "company.com.jo", "univ-alger.dz")

CARRIERS: dict[str, tuple[str, ...]] = {
    "email": ("البريد الإلكتروني: {}", "راسلونا على {}", "{}", "عبر البريد {} للاستفسار"),
    "phone": ("للتواصل: {}", "رقم الجوال {}", "اتصل على {}", "هاتف: {}", "واتساب {}", "{}", "أو على الرقم {}"),
    "ip": ("من عنوان IP {}", "الخادم {}", "{}"),
    "iban": ("رقم الآيبان {}", "IBAN: {}", "{}", "للتبرع على الحساب {}"),
    "credit_card": ("رقم البطاقة {}", "بطاقة ائتمانية {}", "{}"),
    "national_id": ("رقم الهوية {}", "رقم الإقامة {}", "الرقم القومي {}", "{}", "هوية وطنية رقم {}"),
}
# Phone keywords only: carriers for numbers that are phones only because of the word before them.
PHONE_KEYWORD_CARRIERS = ("للتواصل: {}", "رقم الجوال {}", "اتصل على {}", "هاتف: {}", "واتساب {}", "ت: {}")

CRAFTED_SENTENCES = (
    "أعلنت وزارة الصحة عن افتتاح مستشفى جديد في المنطقة الشرقية خلال العام الجاري.",
    "وقال المتحدث الرسمي إن المشروع يهدف إلى تحسين الخدمات المقدمة للمواطنين والمقيمين.",
    "وشهدت الأسواق المحلية ارتفاعا ملحوظا في أسعار المواد الغذائية خلال الأسبوع الماضي.",
    "وأكد المدير العام أن العمل جار على استكمال المرحلة الثانية من المشروع في الموعد المحدد.",
    "وتأتي هذه الخطوة ضمن خطة شاملة لتطوير البنية التحتية في المدن الرئيسية.",
    "وأشار التقرير إلى أن عدد الزوار تجاوز التوقعات رغم الظروف الجوية الصعبة.",
    "ودعت الجهات المختصة المواطنين إلى الالتزام بالتعليمات والإرشادات الصادرة.",
    "وفاز الفريق في المباراة التي أقيمت مساء أمس على ملعب المدينة الرياضية.",
    "وناقش المجلس في جلسته عددا من الموضوعات المدرجة على جدول الأعمال.",
    "وتستمر فعاليات المهرجان حتى نهاية الشهر بمشاركة واسعة من الجهات الحكومية والخاصة.",
    "وأوضح الباحثون أن النتائج الأولية مشجعة وتحتاج إلى مزيد من الدراسة.",
    "كما تم توقيع مذكرة تفاهم بين الجانبين لتعزيز التعاون في مجالات التعليم والتدريب.",
)


@dataclass
class Labelled:
    """A text with its seeded PII (``gold``: kind, start, end, format) and hard negatives (type, start, end)."""

    text: str
    gold: list[tuple[str, int, int, str]] = field(default_factory=list)
    negatives: list[tuple[str, int, int]] = field(default_factory=list)


def to_system(s: str, system: str) -> str:
    return s if system == "latin" else s.translate(_TO[system])


class PiiGenerator:
    """Seeded values. Every method returns (surface string, format label)."""

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def system(self) -> str:
        return self.rng.choices(DIGIT_SYSTEMS, weights=(5, 4, 1))[0]

    def group(self, digits: str, sep: str) -> str:
        """Split into random 2-4 digit blocks joined by ``sep`` (as people write numbers)."""
        out, i = [], 0
        while i < len(digits):
            k = self.rng.choice((2, 3, 3, 4, 4))
            if len(digits) - (i + k) == 1:
                k += 1
            out.append(digits[i:i + k])
            i += k
        return sep.join(out)

    def email(self) -> tuple[str, str]:
        r = self.rng
        tail = r.choice(("", r.choice(NAMES), self.digits(r.randint(1, 4))))
        local = r.choice(NAMES) + (r.choice(("", ".", "_")) if tail else "") + tail
        domain = r.choice(DOMAINS)
        if r.random() < 0.1:
            return f"{local.replace('.', ' [dot] ')} [at] {domain.replace('.', ' [dot] ')}", "obfuscated"
        return f"{local}@{domain}", "plain"

    def phone(self) -> tuple[str, str, bool]:
        """(surface, format label, needs a phone keyword before it)."""
        r = self.rng
        iso = r.choice(list(PHONE_PLANS))
        code, trunk, mobile, landline = PHONE_PLANS[iso]
        kind = "mobile" if r.random() < 0.7 else "landline"
        prefixes, length = mobile if kind == "mobile" else landline
        pre = r.choice(prefixes)
        nsn = pre + self.digits(length - len(pre))
        lb_bare = iso == "LB" and kind == "mobile" and r.random() < 0.5
        if lb_bare:  # Lebanese 7x/81 mobiles are dialled without a trunk 0
            nsn = r.choice(("70", "71", "76", "78", "79", "81")) + self.digits(6)
        style = r.choice(("plus", "plus", "00", "rtl_plus", "national", "national", "national"))
        sep = r.choice((" ", " ", "-", ".", ""))
        system = self.system()
        needs_keyword = False
        if style == "plus":
            s = f"+{code} {self.group(nsn, sep)}" if r.random() < 0.8 else f"(+{code}) {self.group(nsn, sep)}"
        elif style == "00":
            s = f"00{code} {self.group(nsn, sep)}"
        elif style == "rtl_plus":
            s = f"{code}{nsn}+"
        elif trunk and not lb_bare:
            national = "0" + nsn
            s = self.group(national, sep) if r.random() < 0.8 else f"({national[:3]}) {national[3:]}"
        else:
            s, needs_keyword = self.group(nsn, sep), True
        return to_system(s, system), f"{iso}-{kind}-{style}-{system}", needs_keyword

    def ipv4(self) -> str:
        octets = [self.rng.randint(0, 255) for _ in range(4)]
        octets[0] = self.rng.randint(11, 223)
        return ".".join(map(str, octets))

    def ipv6(self) -> str:
        groups = [f"{self.rng.randint(0, 0xFFFF):x}" for _ in range(8)]
        groups[0] = self.rng.choice(("2001", "fe80", "2a02", "2400"))
        if self.rng.random() < 0.5:
            return ":".join(groups)
        k = self.rng.randint(1, 5)
        return ":".join(groups[:k]) + "::" + ":".join(groups[k + 2:])

    def ip(self) -> tuple[str, str]:
        return (self.ipv4(), "v4") if self.rng.random() < 0.7 else (self.ipv6(), "v6")

    def iban(self, valid: bool = True) -> tuple[str, str]:
        r = self.rng
        country = r.choice(list(IBAN_SHAPES))
        n, letters = IBAN_SHAPES[country]
        bban = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(letters)) + self.digits(n - letters)
        check = iban_check_digits(country, bban)
        if not valid:
            check = f"{(int(check) + r.randint(1, 96) - 2) % 97 + 2:02d}"
        compact = country + check + bban
        s = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4)) if r.random() < 0.5 else compact
        system = "latin" if r.random() < 0.8 else "arabic"
        return to_system(s, system), f"{country}-{system}"

    def card(self, valid: bool = True) -> tuple[str, str]:
        r = self.rng
        prefix, length = r.choice(CARD_BRANDS)
        if prefix == "35":
            prefix = str(r.randint(3528, 3589))
        payload = prefix + self.digits(length - len(prefix) - 1)
        check = luhn_check_digit(payload)
        if not valid:
            check = str((int(check) + r.randint(1, 9)) % 10)
        pan = payload + check
        if length == 15:
            s = f"{pan[:4]} {pan[4:10]} {pan[10:]}"
        else:
            sep = r.choice((" ", "-", ""))
            s = sep.join(pan[i:i + 4] for i in range(0, length, 4))
        system = self.system()
        return to_system(s, system), f"{prefix[:2]}x{length}-{system}"

    def saudi_id(self, valid: bool = True) -> str:
        payload = self.rng.choice("12") + self.digits(8)
        check = luhn_check_digit(payload)
        return payload + (check if valid else str((int(check) + self.rng.randint(1, 9)) % 10))

    def uae_id(self, valid: bool = True) -> str:
        payload = "784" + str(self.rng.randint(1950, 2015)) + self.digits(7)
        check = luhn_check_digit(payload)
        return payload + (check if valid else str((int(check) + self.rng.randint(1, 9)) % 10))

    def egypt_id(self, valid: bool = True) -> str:
        r = self.rng
        born = dt.date(1940, 1, 1) + dt.timedelta(days=r.randint(0, 365 * 80))
        century = "2" if born.year < 2000 else "3"
        month = f"{born.month:02d}" if valid else f"{r.randint(13, 99)}"
        return (century + f"{born.year % 100:02d}" + month + f"{born.day:02d}" + r.choice(EG_GOVERNORATES)
                + self.digits(5))

    def national_id(self, valid: bool = True) -> tuple[str, str]:
        r = self.rng
        which = r.choice(("SA", "SA", "EG", "AE"))
        system = self.system()
        if which == "SA":
            s = self.saudi_id(valid)
        elif which == "EG":
            s = self.egypt_id(valid)
        else:
            s = self.uae_id(valid)
            if r.random() < 0.6:
                s = f"{s[:3]}-{s[3:7]}-{s[7:14]}-{s[14]}"
        return to_system(s, system), f"{which}-{system}"

    def negative(self) -> tuple[str, str]:
        """A hard negative: (text with its carrier words, type)."""
        r = self.rng
        y, m, d = r.randint(1950, 2030), r.randint(1, 12), r.randint(1, 28)
        hy = r.randint(1400, 1450)
        choices = {
            "year": lambda: r.choice((f"عام {y}", f"{y}م", f"سنة {y}", f"{hy}هـ", f"العام {hy} - {hy + 1}هـ")),
            "date": lambda: r.choice((f"{d}/{m}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}-{m:02d}-{y}",
                                      f"{d:02d}.{m:02d}.{y}", f"{hy}/{m}/{d}هـ", f"{d:02d} {m:02d} {y}",
                                      f"{y}/{m:02d}/{d:02d}")),
            "price": lambda: r.choice((f"{r.randint(1, 99)}.{r.randint(1, 9)} مليار ريال",
                                       f"{r.randint(1000, 99999):,} ريال",
                                       f"بقيمة {r.randint(1_000_000, 9_999_999_999)} ريال",
                                       f"{r.randint(1_000_000, 999_999_999)} دولار",
                                       f"{r.randint(1, 999)}.{r.randint(100, 999)}.{r.randint(100, 999)} ريال")),
            "percent": lambda: r.choice((f"{r.randint(1, 99)}%", f"{r.randint(1, 99)}.{r.randint(1, 9)} في المئة",
                                         f"بنسبة {r.randint(1, 99)}٪")),
            "article": lambda: r.choice((f"المادة {r.randint(1, 300)}", f"القانون رقم {r.randint(1, 200)} لسنة {y}",
                                         f"الفقرة {r.randint(1, 20)} من المادة {r.randint(1, 99)}")),
            "decision": lambda: r.choice((f"رقم القرار {r.randint(1_000_000, 9_999_999)}",
                                          f"القرار رقم {r.randint(1000000000, 2999999999)}",
                                          f"السجل التجاري رقم {r.randint(1010000000, 4030999999)}")),
            "time": lambda: r.choice((f"الساعة {r.randint(0, 23)}:{r.randint(0, 59):02d}",
                                      f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}")),
            "score": lambda: f"بنتيجة {r.randint(0, 5)}-{r.randint(0, 5)}",
            "count": lambda: r.choice((f"{r.randint(1_000_000, 99_999_999)} زائر",
                                       f"{r.randint(1_000_000, 9_999_999)} سيارة",
                                       f"{r.randint(1_000_000, 9_999_999)} نسمة")),
            "version": lambda: f"الإصدار {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
            "bad_card": lambda: self.card(valid=False)[0],
            "bad_iban": lambda: self.iban(valid=False)[0],
            "bad_id": lambda: self.national_id(valid=False)[0],
            "bare_number": lambda: r.choice((f"رقم {r.randint(1_000_000, 99_999_999)}",
                                             f"{r.randint(10_000_000, 99_999_999)}",
                                             f"{r.randint(100_000_000_000, 999_999_999_999_9)}")),
        }
        kind = r.choice(list(choices))
        system = "latin" if kind in ("bad_card", "bad_iban", "bad_id") else self.system()  # those choose their own
        return to_system(choices[kind](), system), kind


def _positive(gen: PiiGenerator, kind: str) -> tuple[str, str]:
    """(carrier text with one ``{}``, value, format) for one seeded value of ``kind``."""
    r = gen.rng
    if kind == "phone":
        value, fmt, needs_keyword = gen.phone()
        carrier = r.choice(PHONE_KEYWORD_CARRIERS if needs_keyword else CARRIERS["phone"])
        return carrier, value, fmt
    value, fmt = {"email": gen.email, "ip": gen.ip, "iban": gen.iban, "credit_card": gen.card,
                  "national_id": gen.national_id}[kind]()
    return r.choice(CARRIERS[kind]), value, fmt


def build_documents(sentences: list[str], n_docs: int, seed: int = 0) -> list[Labelled]:
    """``n_docs`` texts of 3-6 background sentences with 1-3 seeded values and 1-3 hard negatives each. Every kind
    gets the same number of seeded values (round robin)."""
    gen = PiiGenerator(seed)
    r = gen.rng
    kinds = ("email", "phone", "ip", "iban", "credit_card", "national_id")
    pool = list(sentences) or list(CRAFTED_SENTENCES)
    docs, turn = [], 0
    for _ in range(n_docs):
        background = r.sample(pool, min(len(pool), r.randint(3, 6)))
        pieces: list[tuple[str, str | None, str | None]] = [(s, None, None) for s in background]
        for _ in range(r.randint(1, 3)):
            kind = kinds[turn % len(kinds)]
            turn += 1
            carrier, value, fmt = _positive(gen, kind)
            pieces.insert(r.randint(0, len(pieces)), (carrier, value, f"{kind}|{fmt}"))
        for _ in range(r.randint(1, 3)):
            value, neg = gen.negative()
            pieces.insert(r.randint(0, len(pieces)), ("{}", value, f"neg|{neg}"))
        doc = Labelled("")
        parts, pos = [], 0
        for carrier, value, label in pieces:
            if value is None:
                chunk = carrier
            else:
                before, after = carrier.split("{}")
                start = pos + len(before)
                # Mostly punctuation after a value, as in real text; sometimes nothing (then a following number
                # may read as its continuation, which the detectors must survive).
                chunk = before + value + after + r.choices(("", "،", ".", " -", " و"), weights=(1, 3, 3, 2, 1))[0]
                tag, sub = label.split("|", 1)
                if tag == "neg":
                    doc.negatives.append((sub, start, start + len(value)))
                else:
                    doc.gold.append((tag, start, start + len(value), sub))
            parts.append(chunk)
            pos += len(chunk) + 1
        doc.text = " ".join(parts)
        docs.append(doc)
    return docs
