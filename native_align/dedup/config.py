"""Settings of the dedup stage (exact + MinHash LSH + connected components + survivors + boilerplate lines)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from native_align.config import Section

SurvivorKey = Literal["quality", "longest", "earliest", "smallest_id"]


class DedupConfig(Section):
    # enabled=false: no document is removed (duplicates stays empty), boilerplate lines are still stripped.
    enabled: bool = True
    # fuzzy=false: exact dedup by content_hash only.
    fuzzy: bool = True
    # Target: two documents are duplicates when the Jaccard similarity of their shingle sets is >= threshold.
    threshold: float = Field(0.8, gt=0.0, le=1.0)

    # -- shingles ----------------------------------------------------------------------------------------------
    shingle: Literal["word", "char"] = "word"
    # Word n-grams (default 5, as in the paper's ground truth) or character n-grams of the normalized view.
    ngram: int = Field(5, ge=1, le=32)

    # -- MinHash LSH ---------------------------------------------------------------------------------------------
    num_perm: int = Field(96, ge=2, le=1024)
    seed: int = 42
    # bands x rows come from datasketch's optimizer at `lsh_threshold` (a recall-oriented threshold below
    # `threshold`, because verification removes the extra candidates). Set both `bands` and `rows` to override.
    lsh_threshold: float = Field(0.6, gt=0.0, le=1.0)
    fp_weight: float = Field(0.5, ge=0.0, le=1.0)
    fn_weight: float = Field(0.5, ge=0.0, le=1.0)
    bands: int | None = Field(None, ge=1)
    rows: int | None = Field(None, ge=1)

    # -- candidates and verification -----------------------------------------------------------------------------
    # Verify candidate pairs by the true Jaccard of their shingle sets (drops LSH false positives).
    verify: bool = True
    # With verification, buckets up to this size emit all pairs; larger buckets emit pairs with their
    # `bucket_pivots` smallest members only, so a giant bucket costs O(size) edges, not O(size^2).
    bucket_pair_cap: int = Field(64, ge=2)
    bucket_pivots: int = Field(4, ge=1)

    # -- connected components ------------------------------------------------------------------------------------
    max_iterations: int = Field(64, ge=1)
    # "local": localCheckpoint (fast, executor-local); "reliable": checkpoint to tables.checkpoint_dir (survives
    # executor loss: use on clusters); "none": keep lineage (tiny inputs only).
    checkpoint: Literal["local", "reliable", "none"] = "local"
    # Edge lists up to this size are labelled on the driver (scipy; ~100 bytes an edge there): the Spark rounds'
    # job scheduling dominates small graphs. 0: always in Spark.
    local_max_edges: int = Field(2_000_000, ge=0)

    # -- survivors ----------------------------------------------------------------------------------------------
    # Sort keys that pick the one document a cluster keeps; doc_id always breaks the remaining ties.
    survivor: list[SurvivorKey] = Field(default_factory=lambda: ["quality", "longest", "earliest"])

    # -- boilerplate lines --------------------------------------------------------------------------------------
    boilerplate: bool = True
    # A normalized line is boilerplate when it occurs in at least max(min_docs, ceil(min_fraction * docs))
    # distinct surviving documents. Lines shorter than min_words words are never counted (blank lines, bullets).
    # The count is a floor for small corpora; the fraction takes over from 2M documents (1e-5: a line in 1,000 of
    # 10^8 documents), so at terabyte scale a sentence quoted by 20 pages is not mistaken for a site footer.
    boilerplate_min_docs: int = Field(20, ge=2)
    boilerplate_min_fraction: float = Field(1e-5, ge=0.0, le=1.0)
    boilerplate_min_words: int = Field(3, ge=1)

    @field_validator("survivor", mode="before")
    @classmethod
    def _one_key(cls, value):
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _bands_rows(self):
        if (self.bands is None) != (self.rows is None):
            raise ValueError("set both dedup.bands and dedup.rows, or neither")
        if self.bands is not None and self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands*rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")
        return self
