"""Did the rewrite keep the facts? Numbers and (approximate) names of the original found again in the rewrite.

Numbers use the rewrite guardrails' own extraction (``native_align.alignment.guardrails.extract_numbers``: Arabic-Indic digits
folded, thousands separators and decimals canonicalized, phone numbers and links excluded because the worker is
told to delete contact details), so the report measures what the guardrail enforced.

Names are an *approximation*: there is no Arabic NER model offline, and Arabic has no capital letters. We count
  - Latin-script words starting with a capital letter, and acronyms (e.g. "Apple", "NASA"); and
  - Arabic words right after a title or kinship word (الرئيس، الملك، الأمير، الشيخ، الدكتور، السيد، الوزير، بن،
    أبو, ...): the first of the next two words that does not start with the article "ال" (personal names do not
    take it; the adjectives that follow titles usually do: "الرئيس الأمريكي باراك" -> باراك); and
  - the word right after a place or organisation word (مدينة، محافظة، شركة، جامعة، نادي, ...), article or not.
This finds few false names but misses names without a trigger word: a high-precision, low-recall proxy, good for
*comparing* before and after, not for counting entities. Matching folds spelling variants (normalize_for_matching)
and accepts a name with one proclitic (و، ب، ل، ف، ك) attached in the rewrite.
"""

from __future__ import annotations

import re

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import LongType, StructField, StructType

from native_align.alignment.guardrails import extract_numbers
from native_align.text.normalize import normalize_for_matching, words

# Folded forms (normalize_for_matching), so أ/إ/ة variants in the text match.
# Person titles and kinship words: the name is the first of the next two words without the article.
PERSON_TRIGGERS = frozenset(normalize_for_matching(w) for w in (
    "الرئيس الملك الأمير الأميرة الشيخ الشيخة الدكتور الدكتورة د السيد السيدة الوزير وزير الوزيرة المهندس "
    "الأستاذ الأستاذة اللواء العميد الفريق العقيد المستشار الإمام القاضي النائب السفير اللاعب المدرب الفنان "
    "الكاتب بن بنت ابن أبو أبي أم"
).split())
# Place and organisation words: the name is the next word, article or not (مدينة الرياض, جامعة الملك ...).
PLACE_TRIGGERS = frozenset(normalize_for_matching(w) for w in (
    "مدينة محافظة منطقة شركة جامعة مستشفى نادي صحيفة دولة"
).split())
TRIGGERS = PERSON_TRIGGERS | PLACE_TRIGGERS
_LATIN_NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:[A-Z][a-z]+)*|[A-Z]{2,})\b")
_CLITICS = ("و", "ب", "ل", "ف", "ك")


def extract_names(text: str | None) -> set[str]:
    """Approximate named entities of ``text`` as folded tokens (see the module docstring for the rules)."""
    if not text:
        return set()
    names = {normalize_for_matching(m.group(0)) for m in _LATIN_NAME.finditer(text)}
    toks = words(normalize_for_matching(text))
    for i, tok in enumerate(toks):
        bare = tok if tok in TRIGGERS else (tok[1:] if tok[:1] in _CLITICS and tok[1:] in TRIGGERS else None)
        if bare in PLACE_TRIGGERS:
            if i + 1 < len(toks) and not toks[i + 1].isdigit() and toks[i + 1] not in TRIGGERS:
                names.add(toks[i + 1])
        elif bare is not None:
            for nxt in toks[i + 1:i + 3]:
                if nxt.isdigit() or nxt in TRIGGERS:
                    break
                if not nxt.startswith("ال") and len(nxt) >= 2:
                    names.add(nxt)
                    break
    return names


def _present(name: str, tokens: set[str], folded: str) -> bool:
    if " " in name:
        return name in folded
    return name in tokens or any(c + name in tokens for c in _CLITICS)


def preservation_counts(original: str | None, rewrite: str | None) -> tuple[int, int, int, int]:
    """(numbers in original, of them kept, names in original, of them kept)."""
    required, _ = extract_numbers(original or "")
    _, seen = extract_numbers(rewrite or "")
    names = extract_names(original)
    folded = normalize_for_matching(rewrite or "")
    tokens = set(words(folded))
    kept_names = sum(1 for n in names if _present(n, tokens, folded))
    return len(required), len(required & seen), len(names), kept_names


_COUNTS = StructType([StructField(n, LongType()) for n in ("numbers", "numbers_kept", "names", "names_kept")])


@pandas_udf(_COUNTS)
def _preservation_udf(originals: pd.Series, rewrites: pd.Series) -> pd.DataFrame:
    rows = [preservation_counts(o, r) for o, r in zip(originals.tolist(), rewrites.tolist())]
    return pd.DataFrame(rows, columns=["numbers", "numbers_kept", "names", "names_kept"])


def preservation(pairs: DataFrame) -> DataFrame:
    """Per pair (doc_id, original_text, rewrite): counts of numbers and names, and how many the rewrite kept."""
    s = _preservation_udf(F.col("original_text"), F.col("rewrite"))
    return pairs.select("doc_id", s.alias("_p")).select("doc_id", "_p.*")


def preservation_summary(counts: DataFrame) -> DataFrame:
    """One row: documents, numbers, numbers_kept, numbers_kept_share, names, names_kept, names_kept_share,
    docs_all_numbers_kept (share of documents with numbers that kept every one)."""
    agg = counts.agg(
        F.count(F.lit(1)).alias("documents"),
        F.sum("numbers").cast("long").alias("numbers"), F.sum("numbers_kept").cast("long").alias("numbers_kept"),
        F.sum("names").cast("long").alias("names"), F.sum("names_kept").cast("long").alias("names_kept"),
        F.sum((F.col("numbers") > 0).cast("long")).alias("_with_numbers"),
        F.sum(((F.col("numbers") > 0) & (F.col("numbers_kept") == F.col("numbers"))).cast("long")).alias("_all"),
    )
    return agg.select(
        "documents", "numbers", "numbers_kept",
        F.when(F.col("numbers") > 0, F.col("numbers_kept") / F.col("numbers")).alias("numbers_kept_share"),
        "names", "names_kept",
        F.when(F.col("names") > 0, F.col("names_kept") / F.col("names")).alias("names_kept_share"),
        F.when(F.col("_with_numbers") > 0, F.col("_all") / F.col("_with_numbers")).alias("docs_all_numbers_kept"),
    )
