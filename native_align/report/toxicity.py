"""Lexicon toxicity: how many documents contain at least one term of a bad-word list, and hits per 1k words.

A lexicon is crude (no context, no sarcasm, misses what it does not list) but it is transparent, cheap on
millions of documents, and comparable before and after a rewrite, which is what the report needs. Matching is
Arabic-aware: text and terms go through the same folding as dedup (NFKC, harakat and tatweel removed, alef/ya/
ta-marbuta variants folded), and a word also matches after stripping one common proclitic (و ف ب ل ك ال and their
combinations) when at least three letters remain, so "والكلب" hits "كلب" but a two-letter term is never found
inside a longer word. Suffixes (plurals, pronouns) are not stripped: a documented miss, not a silent one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import LongType, StructField, StructType

from native_align.text.normalize import normalize_for_matching, words

WORDLIST_DIR = Path(__file__).resolve().parent.parent / "resources" / "wordlists"
# Longest first: "وال" must be tried before "و".
PROCLITICS: tuple[str, ...] = ("وبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال", "و", "ف", "ب", "ل", "ك")
MIN_STEM = 3


def default_lexicon_path() -> Path:
    """Our packaged bad-word list (written for this project; shared with curate's bad-word signal)."""
    path = WORDLIST_DIR / "ar_badwords.txt"
    if not path.is_file():
        raise FileNotFoundError(f"packaged bad-word list missing at {path}; set report.toxicity_lexicon")
    return path


@dataclass(frozen=True)
class Lexicon:
    """Normalized terms: single words, multi-word phrases, and non-word symbols (emoji) matched as substrings."""

    words: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    symbols: tuple[str, ...]
    source: str = ""

    @classmethod
    def from_terms(cls, terms: list[str], source: str = "") -> "Lexicon":
        single, multi, symbols = set(), set(), set()
        for term in terms:
            term = term.strip()
            if not term or term.startswith("#"):
                continue
            toks = words(normalize_for_matching(term))
            if not toks:
                symbols.add(term)
            elif len(toks) == 1:
                single.add(toks[0])
            else:
                multi.add(tuple(toks))
        phrases = tuple(sorted(multi, key=lambda p: (-len(p), p)))
        return cls(frozenset(single), phrases, tuple(sorted(symbols)), source)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Lexicon":
        """One term a line (UTF-8; blank lines and ``#`` comments ignored); None = the packaged list."""
        path = Path(path) if path else default_lexicon_path()
        return cls.from_terms(path.read_text(encoding="utf-8").splitlines(), source=str(path))

    def __len__(self) -> int:
        return len(self.words) + len(self.phrases) + len(self.symbols)

    def _token_matches(self, token: str, candidates: frozenset[str] | set[str]) -> bool:
        if token in candidates:
            return True
        for clitic in PROCLITICS:
            if token.startswith(clitic) and len(token) - len(clitic) >= MIN_STEM \
                    and token[len(clitic):] in candidates:
                return True
        return False

    def hits(self, text: str | None) -> int:
        """Non-overlapping lexicon matches in ``text`` (phrases before single words, longest first)."""
        if not text:
            return 0
        toks = words(normalize_for_matching(text))
        count, i = 0, 0
        while i < len(toks):
            matched = 0
            for phrase in self.phrases:
                n = len(phrase)
                if i + n <= len(toks) and self._token_matches(toks[i], {phrase[0]}) \
                        and tuple(toks[i + 1:i + n]) == phrase[1:]:
                    matched = n
                    break
            if not matched and self._token_matches(toks[i], self.words):
                matched = 1
            if matched:
                count += 1
                i += matched
            else:
                i += 1
        return count + sum(text.count(sym) for sym in self.symbols)

    def word_count(self, text: str | None) -> int:
        """Words as the matcher sees them (the denominator of hits per 1k words)."""
        return len(words(normalize_for_matching(text))) if text else 0


def score_texts(lexicon: Lexicon, texts: list[str | None]) -> pd.DataFrame:
    """hits and words per text, in order (driver-side, for small samples and evaluations)."""
    return pd.DataFrame({"hits": [lexicon.hits(t) for t in texts], "words": [lexicon.word_count(t) for t in texts]})


def summarize(hits: pd.Series, words_: pd.Series) -> dict[str, float]:
    """documents, toxic_docs, toxic_rate (share with >= 1 hit), hits, words, hits_per_1k_words."""
    n = int(len(hits))
    toxic = int((hits > 0).sum())
    total_words = int(words_.sum())
    return {"documents": n, "toxic_docs": toxic, "toxic_rate": toxic / n if n else float("nan"),
            "hits": int(hits.sum()), "words": total_words,
            "hits_per_1k_words": 1000.0 * hits.sum() / total_words if total_words else float("nan")}


def toxicity_column(lexicon: Lexicon, text: Column) -> Column:
    """A struct<hits: long, words: long> column computed on Arrow batches (no row-at-a-time Python UDF)."""

    @pandas_udf(StructType([StructField("hits", LongType()), StructField("words", LongType())]))
    def _score(texts: pd.Series) -> pd.DataFrame:
        return score_texts(lexicon, texts.tolist())

    return _score(text)


def score_frame(df: DataFrame, lexicon: Lexicon, text_col: str, prefix: str) -> DataFrame:
    """Adds ``<prefix>_hits`` and ``<prefix>_words`` for ``text_col``."""
    scored = df.withColumn(f"_{prefix}_tox", toxicity_column(lexicon, F.col(text_col)))
    return (scored.withColumn(f"{prefix}_hits", F.col(f"_{prefix}_tox.hits"))
            .withColumn(f"{prefix}_words", F.col(f"_{prefix}_tox.words")).drop(f"_{prefix}_tox"))


def summary_frame(scored: DataFrame, prefix: str) -> DataFrame:
    """One row: documents, toxic_docs, toxic_rate, hits, words, hits_per_1k_words (Spark side)."""
    hits, words_ = F.col(f"{prefix}_hits"), F.col(f"{prefix}_words")
    agg = scored.agg(F.count(F.lit(1)).alias("documents"),
                     F.sum((hits > 0).cast("long")).alias("toxic_docs"),
                     F.sum(hits).cast("long").alias("hits"), F.sum(words_).cast("long").alias("words"))
    return agg.select(
        "documents", F.coalesce("toxic_docs", F.lit(0)).alias("toxic_docs"),
        F.when(F.col("documents") > 0, F.col("toxic_docs") / F.col("documents")).alias("toxic_rate"),
        F.coalesce("hits", F.lit(0)).alias("hits"), F.coalesce("words", F.lit(0)).alias("words"),
        F.when(F.col("words") > 0, 1000.0 * F.col("hits") / F.col("words")).alias("hits_per_1k_words"))
