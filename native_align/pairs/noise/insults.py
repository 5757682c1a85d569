"""Insults aimed at groups (religion, ethnicity, nationality, gender) and obscenities, put INTO sentences.

Code of conduct, values and moderation: "do not demean any group, people, religion or sex; delete insulting words
without changing the facts" and "delete hate speech and obscene words". An ``apposition`` goes between two
Arabic words inside a sentence as "، <insult>،"; a ``clause`` goes before the sentence's end mark as
"، <clause>". Either way deleting the recorded text with its commas gives the original sentence back, and
nothing is put next to a digit. Words come from the shipped bad-word list (held out by a fixed hash of the word:
sha1 % 4 == 0) and from the adjectives below; the groups are shared by both splits.
"""

from __future__ import annotations

import hashlib
import random
import re
from functools import lru_cache
from pathlib import Path

from native_align.pairs.config import InsultsConfig
from native_align.pairs.noise.base import Injection, NoiseFamily, Template, pool
from native_align.pairs.noise.draft import TERMINALS, Draft

BADWORDS_PATH = Path(__file__).resolve().parents[2] / "resources" / "wordlists" / "ar_badwords.txt"
T = Template
APPOSITION, CLAUSE = "apposition", "clause"
PHRASES: tuple[Template, ...] = (
    T("insults.app.01", "هؤلاء {group} {adj}", kind=APPOSITION),
    T("insults.app.02", "لعنة الله على {group}", kind=APPOSITION),
    T("insults.app.03", "يا {badword}", kind=APPOSITION),
    T("insults.app.04", "وكل {group} {adj} أصلًا", kind=APPOSITION),
    T("insults.app.05", "أولئك {adj} من {group}", kind=APPOSITION),
    T("insults.app.06", "قبّح الله {group}", kind=APPOSITION, held_out=True),
    T("insults.app.07", "{badword} ابن {badword}", kind=APPOSITION, held_out=True),
    T("insults.cl.01", "و{group} كلهم {adj} لا يستحقون الاحترام", kind=CLAUSE),
    T("insults.cl.02", "فهذه طبيعة {group} {adj}", kind=CLAUSE),
    T("insults.cl.03", "ولا خير يُرجى من {group}", kind=CLAUSE),
    T("insults.cl.04", "و{group} لا عقل لهم", kind=CLAUSE),
    T("insults.cl.05", "وكل من يدافع عنهم {badword}", kind=CLAUSE),
    T("insults.cl.06", "و{group} {adj} مهما تعلّموا", kind=CLAUSE),
    T("insults.cl.07", "وهذا ما يُتوقع من {group} {adj}", kind=CLAUSE, held_out=True),
    T("insults.cl.08", "ف{group} أصل كل مصيبة", kind=CLAUSE, held_out=True),
)
ADJECTIVES: tuple[Template, ...] = (
    T("insults.adj.01", "الجهلة", kind="adj"),
    T("insults.adj.02", "الأغبياء", kind="adj"),
    T("insults.adj.03", "المتخلفين", kind="adj"),
    T("insults.adj.04", "الحثالة", kind="adj"),
    T("insults.adj.05", "الكلاب", kind="adj"),
    T("insults.adj.06", "الحمير", kind="adj"),
    T("insults.adj.07", "الأوباش", kind="adj"),
    T("insults.adj.08", "السفلة", kind="adj"),
    T("insults.adj.09", "الخونة", kind="adj"),
    T("insults.adj.10", "الهمج", kind="adj", held_out=True),
    T("insults.adj.11", "الأنذال", kind="adj", held_out=True),
    T("insults.adj.12", "القذرين", kind="adj", held_out=True),
)
# The targets of group insults, by the attribute the code of conduct protects.
GROUPS: dict[str, tuple[str, ...]] = {
    "religion": ("اليهود", "النصارى", "المسلمين", "الشيعة", "السنة", "الملحدين"),
    "ethnicity": ("الأكراد", "الأمازيغ", "الأفارقة", "البدو", "الغجر", "الفرس", "الترك"),
    "nationality": ("المصريين", "السوريين", "الهنود", "الباكستانيين", "الأفغان", "الأجانب", "المغاربة",
                    "السودانيين", "اللبنانيين", "اليمنيين"),
    "gender": ("النساء", "الرجال", "البنات", "الحريم"),
}


# Not after these: an insult between a particle and its noun ("عند، …، ملتقى") is not how people write.
FUNCTION_WORDS = frozenset(
    "في على من إلى الى عن مع عند بين حتى منذ بعد قبل خلال نحو لدى أن إن أنّ إنّ قد لم لن ما لا التي الذي الذين "
    "اللذين اللتين هذا هذه ذلك تلك كل بعض أي أو ثم و ف ب ل يا إذا لو كان كانت".split())


def _word_before(text: str, pos: int) -> str:
    return text[:pos].rsplit(None, 1)[-1] if text[:pos].strip() else ""


def read_badwords(path: str | Path = BADWORDS_PATH) -> tuple[str, ...]:
    """Words of a bad-word list, one per line; blank lines and ``#`` comments skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.strip().startswith("#"))


def word_held_out(word: str) -> bool:
    return int(hashlib.sha1(word.encode("utf-8")).hexdigest(), 16) % 4 == 0


@lru_cache(maxsize=8)
def badword_templates(path: str) -> tuple[Template, ...]:
    return tuple(T("insults.word." + hashlib.sha1(w.encode("utf-8")).hexdigest()[:8], w, word_held_out(w), "badword")
                 for w in read_badwords(path))


class InsultsNoise(NoiseFamily):
    name = "insults"
    templates = PHRASES

    def __init__(self, config: InsultsConfig) -> None:
        super().__init__(config)
        self.badwords = badword_templates(str(config.badwords_path or BADWORDS_PATH))

    def all_templates(self) -> list[Template]:
        return [*self.templates, *ADJECTIVES, *self.badwords]

    def _words(self, split: str, kind: str) -> list[Template]:
        words = pool(self.badwords if kind == "badword" else ADJECTIVES, split)
        # A short custom list may hash no word into one side: then both sides share it.
        return words or list(self.badwords if kind == "badword" else ADJECTIVES)

    def render(self, template: Template, rng: random.Random, split: str
               ) -> tuple[str, list[Template], list[str]]:
        """The phrase with its slots filled; the word templates used; the group and words (``values``)."""
        used: list[Template] = []
        values: list[str] = []

        def fill(m: re.Match) -> str:
            slot = m.group(1)
            if slot == "group":
                group = rng.choice(GROUPS[rng.choice(sorted(GROUPS))])
                values.append(group)
                return group
            word = rng.choice(self._words(split, slot))
            used.append(word)
            values.append(word.text)
            return word.text

        return re.sub(r"\{(\w+)\}", fill, template.text), used, values

    def apply(self, draft: Draft, rng: random.Random, split: str) -> list[Injection]:
        out: list[Injection] = []
        for _ in range(rng.randint(1, self.config.max_insertions)):
            template = self.pick(rng, split, exclude=out)
            if template is None:
                break
            sites = self._sites(draft, template.kind)
            if not sites:
                continue
            pos = rng.choice(sites)
            phrase, used, values = self.render(template, rng, split)
            draft.replace(pos, pos, f"، {phrase}،" if template.kind == APPOSITION else f"، {phrase}")
            out.append(self.record(template, phrase, extra=used, values=values))
        return out

    @staticmethod
    def _sites(draft: Draft, kind: str) -> list[int]:
        """Apposition: after a word inside a sentence of ≥ 5 words; clause: before the end mark of a sentence of
        ≥ 3 words (not one closed by a quote or bracket: the clause would land inside the quotation)."""
        if kind == APPOSITION:
            return [g for s in draft.free_sentences(min_words=5) for g in draft.inner_word_gaps(s)
                    if _word_before(draft.text, g) not in FUNCTION_WORDS]
        return [s.terminal_start for s in draft.free_sentences(min_words=3)
                if s.terminal_start < s.end and draft.text[s.end - 1] in TERMINALS
                and not draft.text[s.terminal_start - 1].isspace()
                and draft.is_free(s.terminal_start, s.terminal_start)]
