"""MLMA labels -> our labels, and the hash split."""

from __future__ import annotations

import pandas as pd

from native_align.moderation.mlma import read_mlma, split_of
from native_align.moderation.train import label_of, training_lines


def test_labels_and_targets(tmp_path):
    path = tmp_path / "m.csv"
    pd.DataFrame({
        "tweet": ["عادي جدا", "يا حمار", "كلام عن دين", "مختلط", "ضد النساء", "ضد الاصل"],
        "sentiment": ["normal", "offensive", "hateful_disrespectful", "abusive_normal", "hateful", "offensive"],
        "target": ["other", "other", "religion", "gender", "gender", "origin"],
    }).to_csv(path, index=False)
    df = read_mlma(path)
    assert df["hostile"].tolist()[:3] == [0, 1, 1] and pd.isna(df["hostile"][3])
    assert df["insult_group"].fillna(-1).tolist() == [0, 0, 1, -1, 1, 1]
    assert df["group_target"].tolist() == ["", "", "religion", "", "gender", "ethnicity"]
    assert [label_of(r, "target") for r in df.itertuples(index=False)] == \
        ["normal", "offensive", "group_religion", None, "group_gender", "group_ethnicity"]
    assert [label_of(r, "binary") for r in df.itertuples(index=False)][:2] == ["normal", "hostile"]
    lines = training_lines(df)
    assert len(lines) == 5 and lines[1] == "__label__offensive يا حمار"


def test_split_is_deterministic_and_spelling_blind():
    assert split_of("نص ما") == split_of("نصّ ما") == split_of("نص  مـا")
    shares = pd.Series([split_of(f"تغريدة رقم {i}") for i in range(2000)]).value_counts(normalize=True)
    assert abs(shares["test"] - 0.20) < 0.03 and abs(shares["dev"] - 0.15) < 0.03
