"""MLMA (Arabic part) as our labels, and the one deterministic split that training and evaluation share.

MLMA labels *hostility* of tweets (column ``sentiment``: normal, offensive, hateful, abusive, disrespectful,
fearful, or several joined by ``_`` when annotators disagreed) and what the hostility is about (``target``:
origin, religion, gender, disability, other). It has no sexual or threat labels. Our mapping:

- ``hostile`` = 1 when no annotator said normal, 0 for ``normal`` alone; mixed labels ("abusive_normal", 282
  tweets) are left out of training and of the figures (annotators disagreed: neither side is ground truth).
- ``insult_group`` = hostile and the target is a group identity (origin, religion, gender); ``group_target``
  names it as ours: origin -> ethnicity (MLMA's origin mixes ethnicity and nationality), religion, gender.

The split is by hash of the normalized tweet (``content_hash``), so it is the same on every machine and two
spellings of one tweet never straddle it: 20 % test (never trained on), 15 % dev (model selection), 65 % train.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from native_align.text.normalize import content_hash

GROUP_TARGETS: dict[str, str] = {"origin": "ethnicity", "religion": "religion", "gender": "gender"}
TEST_PCT = 20
DEV_PCT = 15


def split_of(text: str, test_pct: int = TEST_PCT, dev_pct: int = DEV_PCT) -> str:
    """'test', 'dev' or 'train' from the first 8 hex digits of the normalized text's SHA-1."""
    bucket = int(content_hash(text)[:8], 16) % 100
    return "test" if bucket < test_pct else "dev" if bucket < test_pct + dev_pct else "train"


def read_mlma(path: str | Path, text_col: str = "tweet", label_col: str = "sentiment") -> pd.DataFrame:
    """Columns text, sentiment, target, hostile (1/0/<NA> for mixed), insult_group (1/0/<NA>), group_target
    ("" unless insult_group), split."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {text_col, label_col} - set(df.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    parts = df[label_col].str.strip().str.lower().str.split("_")
    has_normal = parts.apply(lambda p: "normal" in p)
    only_normal = parts.apply(lambda p: set(p) == {"normal"})
    hostile = pd.Series(pd.NA, index=df.index, dtype="Int64")
    hostile[only_normal] = 0
    hostile[~has_normal] = 1
    target = df["target"].str.strip().str.lower() if "target" in df.columns else pd.Series("", index=df.index)
    group = target.map(GROUP_TARGETS).fillna("")
    insult = hostile.copy()
    insult[hostile == 1] = (group[hostile == 1] != "").astype(int)
    out = pd.DataFrame({
        "text": df[text_col], "sentiment": df[label_col], "target": target,
        "hostile": hostile, "insult_group": insult,
        "group_target": group.where(insult == 1, ""),
    })
    out["split"] = out["text"].map(split_of)
    return out
