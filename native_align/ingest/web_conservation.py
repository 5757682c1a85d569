"""Every WARC/WET record accounted for once, checked per file on the staged rows of a source:

    records read = documents + quarantined + skipped by type + URL-filtered

``records read`` is counted by the WARC reader itself; documents and quarantined are the staged rows of the file
(after the ingest validation, which may move a document to quarantine, e.g. ``text_too_large``); skipped and
URL-filtered records are only counted (they are not records of the corpus: never in `documents` nor `quarantine`,
so not "ingested" in the pipeline's reconciliation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align.ingest import schema as S
from native_align.runs import ReconciliationError


class WebConservationError(ReconciliationError):
    """Some WARC/WET records were lost or counted twice between the reader and the staged rows."""


@dataclass
class WebTotals:
    files: int = 0
    unreadable_files: int = 0
    records: int = 0
    documents: int = 0
    quarantined: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    url_filtered: dict[str, int] = field(default_factory=dict)
    mismatched: list[str] = field(default_factory=list)  # "file: records N != ..." for the first files that fail

    @property
    def ok(self) -> bool:
        return not self.mismatched and self.records == (self.documents + self.quarantined + sum(self.skipped.values())
                                                         + sum(self.url_filtered.values()))

    def line(self) -> str:
        """The conservation line the ingest log prints."""
        def by(d: dict[str, int]) -> str:
            return ", ".join(f"{k}={v}" for k, v in sorted(d.items())) or "none"

        return (f"{self.records:,} WARC/WET records = {self.documents:,} documents + {self.quarantined:,} quarantined "
                f"+ {sum(self.skipped.values()):,} skipped by type ({by(self.skipped)}) + "
                f"{sum(self.url_filtered.values()):,} url-filtered ({by(self.url_filtered)}) -> "
                f"{'OK' if self.ok else 'MISMATCH'} ({self.files} files, {self.unreadable_files} unreadable)")

    def counts(self) -> dict[str, int]:
        """Flat counts for the stage's result (and the `runs` table)."""
        out = {"web_files": self.files, "web_unreadable_files": self.unreadable_files, "web_records": self.records,
               "web_documents": self.documents, "web_quarantined": self.quarantined,
               "web_skipped": sum(self.skipped.values()), "web_url_filtered": sum(self.url_filtered.values())}
        out.update({f"web_skipped.{k}": v for k, v in self.skipped.items()})
        out.update({f"web_url_filtered.{k}": v for k, v in self.url_filtered.items()})
        return out

    def check(self) -> None:
        if not self.ok:
            raise WebConservationError(self.line() + ("; " + "; ".join(self.mismatched) if self.mismatched else ""))


def web_totals(records: DataFrame, show: int = 10) -> WebTotals:
    """Sum the reader's counts rows of ``records`` (RECORDS_SCHEMA) and check each WARC/WET file's rows."""
    reason, meta = F.col("reason"), F.col("metadata")
    is_counts = reason == S.WEB_FILE_COUNTS
    is_record = (F.col("position") >= 0) & (reason.isNull() | ~reason.isin(*S.NOT_RECORDS))

    def from_counts(key: str):
        return F.sum(F.when(is_counts, meta[key].cast("long")).otherwise(0))

    per_file = (records.groupBy("source_file").agg(
        F.max(is_counts.cast("int")).alias("web"), from_counts("records").alias("records"),
        from_counts("skipped").alias("skipped"), from_counts("url_filtered").alias("url_filtered"),
        from_counts("unreadable").alias("unreadable"),
        F.sum((is_record & reason.isNull()).cast("long")).alias("documents"),
        F.sum((is_record & reason.isNotNull()).cast("long")).alias("quarantined"))
        .where(F.col("web") == 1)
        .withColumn("balance", F.col("records") - F.col("documents") - F.col("quarantined") - F.col("skipped")
                    - F.col("url_filtered"))).cache()
    try:
        sums = per_file.agg(F.count(F.lit(1)).alias("files"), F.sum("unreadable").alias("unreadable"),
                            *[F.sum(c).alias(c) for c in ("records", "documents", "quarantined")]).first()
        bad = per_file.where(F.col("balance") != 0).orderBy("source_file").limit(show).collect()
    finally:
        per_file.unpersist()
    totals = WebTotals(files=int(sums["files"] or 0), unreadable_files=int(sums["unreadable"] or 0),
                       records=int(sums["records"] or 0), documents=int(sums["documents"] or 0),
                       quarantined=int(sums["quarantined"] or 0))
    totals.mismatched = [f"{r['source_file']}: records {r['records']} != documents {r['documents']} + quarantined "
                         f"{r['quarantined']} + skipped {r['skipped']} + url_filtered {r['url_filtered']}" for r in bad]
    detail = (records.where(is_counts).select(F.explode(meta).alias("key", "value"))
              .where(F.col("key").startswith("skipped.") | F.col("key").startswith("url_filtered."))
              .groupBy("key").agg(F.sum(F.col("value").cast("long")).alias("n")).collect())
    for row in detail:
        kind, name = row["key"].split(".", 1)
        (totals.skipped if kind == "skipped" else totals.url_filtered)[name] = int(row["n"])
    return totals
