"""Plots of the report: each takes a small pandas frame and returns PNG bytes.

matplotlib with the Agg backend (no display, works in Spark drivers and CI). Labels stay English/ASCII: matplotlib
does not shape Arabic (letters come out disconnected and left-to-right), so Arabic never appears in an axis label.
Every plot says what it counts in its title, and puts the number on the bar: a reader should not need the table.
"""

from __future__ import annotations

import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

BEFORE, AFTER = "#9aa5b1", "#1f7a8c"   # original (grey-blue) vs rewrite (teal), the same in every plot
PALETTE = ["#1f7a8c", "#e07a5f", "#81b29a", "#f2cc8f", "#3d405b", "#bfdbf7", "#9aa5b1"]
DPI = 110


def _style() -> None:
    plt.rcParams.update({
        "font.size": 10, "axes.titlesize": 12, "axes.titleweight": "bold", "axes.spines.top": False,
        "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25, "axes.axisbelow": True,
        "figure.facecolor": "white", "axes.facecolor": "white",
    })


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _human(n: float) -> str:
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "-"
    for unit, div in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.1f}{unit}"
    return f"{int(n):,}" if float(n).is_integer() else f"{n:.2f}"


def _ascii(label: object, width: int = 40) -> str:
    """Labels as ASCII-safe text (non-ASCII labels would render unshaped): escape what is not ASCII."""
    text = str(label)
    if not text.isascii():
        text = text.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= width else text[:width - 1] + "~"


def funnel_plot(funnel: pd.DataFrame) -> bytes:
    """Documents per stage as horizontal bars, annotated with characters and estimated tokens."""
    _style()
    df = funnel.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(df) + 1.2))
    docs = df["documents"].fillna(0).astype(float)
    colors = [PALETTE[0] if s == "ok" else "#dddddd" for s in df["status"]]
    ax.barh(df["stage"], docs, color=colors)
    top = max(docs.max(), 1)
    for y, (_, row) in enumerate(df.iterrows()):
        if row["status"] != "ok":
            ax.text(top * 0.01, y, "stage not run", va="center", color="#777777", style="italic")
            continue
        extra = "" if pd.isna(row["est_tokens"]) else \
            f"  ({_human(row['characters'])} chars, ~{_human(row['est_tokens'])} tok)"
        ax.text(row["documents"] + top * 0.01, y, f"{int(row['documents']):,}{extra}", va="center")
    ax.set_xlim(0, top * 1.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("documents")
    ax.set_title("Pipeline funnel: documents per stage")
    return _png(fig)


def bar_plot(df: pd.DataFrame, label_col: str, value_col: str, title: str, xlabel: str = "documents",
             top: int = 15, color: str = PALETTE[1]) -> bytes:
    """Horizontal bars of the ``top`` largest values, largest on top, with the value at the end of each bar."""
    _style()
    d = df.sort_values(value_col, ascending=False).head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.4 * max(len(d), 1) + 1.2))
    ax.barh([_ascii(v) for v in d[label_col]], d[value_col].astype(float), color=color)
    vmax = float(d[value_col].max()) if len(d) else 1.0
    for y, v in enumerate(d[value_col]):
        ax.text(float(v) + vmax * 0.01, y, f"{int(v):,}", va="center")
    ax.set_xlim(0, vmax * 1.15 if vmax > 0 else 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    more = len(df) - len(d)
    ax.set_title(title + (f" (top {top}; {more} more in the table)" if more > 0 else ""))
    return _png(fig)


def languages_plot(langs: pd.DataFrame, top: int = 12) -> bytes:
    """Documents per detected language, split into kept and not kept by curate."""
    _style()
    d = langs.sort_values("documents", ascending=False).head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.4 * max(len(d), 1) + 1.2))
    kept = d["kept"].fillna(0).astype(float)
    rest = d["documents"].astype(float) - kept
    labels = [_ascii(v) for v in d["lang"]]
    ax.barh(labels, kept, color=PALETTE[0], label="kept by curate")
    ax.barh(labels, rest, left=kept, color=PALETTE[6], label="rejected")
    for y, total in enumerate(d["documents"]):
        ax.text(float(total) * 1.01, y, f"{int(total):,}", va="center")
    ax.set_xlim(0, float(d["documents"].max()) * 1.15 if len(d) else 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("documents")
    ax.legend(loc="lower right", frameon=False)
    ax.set_title("Detected language (fastText)")
    return _png(fig)


def cluster_sizes_plot(hist: pd.DataFrame) -> bytes:
    """Number of duplicate clusters by cluster size (log scale: a few huge clusters, many pairs)."""
    _style()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    sizes = hist["cluster_size"].astype(int).tolist()
    ax.bar([str(s) for s in sizes], hist["clusters"].astype(float), color=PALETTE[2])
    for x, (c, r) in enumerate(zip(hist["clusters"], hist["removed"])):
        ax.text(x, float(c), f"{int(c):,} clusters\n{int(r):,} docs removed", ha="center", va="bottom", fontsize=8)
    if len(hist) and hist["clusters"].max() / max(hist["clusters"].min(), 1) > 50:
        ax.set_yscale("log")
    ax.margins(y=0.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("cluster size (documents)")
    ax.set_ylabel("clusters")
    ax.set_title("Duplicate clusters by size")
    return _png(fig)


def per_source_plot(src: pd.DataFrame, top: int = 15) -> bytes:
    """Where each source's documents ended: curated, duplicate, rejected, quarantined (stacked)."""
    _style()
    d = src.sort_values("ingested", ascending=False).head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(d), 1) + 1.4))
    labels = [_ascii(v) for v in d["source"]]
    left = np.zeros(len(d))
    parts = [("curated", PALETTE[0]), ("duplicates", PALETTE[2]), ("rejected", PALETTE[1]),
             ("quarantined", PALETTE[4])]
    for col, color in parts:
        if col not in d or d[col].isna().all():
            continue
        vals = d[col].fillna(0).astype(float).to_numpy()
        ax.barh(labels, vals, left=left, color=color, label=col)
        left += vals
    for y, total in enumerate(d["ingested"]):
        ax.text(float(left[y]) + max(left.max(), 1) * 0.01, y, f"{int(total):,}", va="center")
    ax.set_xlim(0, max(left.max(), 1) * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("documents")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ax.set_title("Per source: where the documents went")
    return _png(fig)


def perplexity_plot(before: list[float], after: list[float]) -> bytes:
    """Overlaid histograms of perplexity (log x) of originals and rewrites, medians marked."""
    _style()
    b = np.array([x for x in before if x == x and x > 0], dtype=float)
    a = np.array([x for x in after if x == x and x > 0], dtype=float)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    both = np.concatenate([b, a]) if len(a) + len(b) else np.array([1.0, 10.0])
    lo, hi = both.min(), both.max()
    bins = np.geomspace(lo * 0.95, hi * 1.05 if hi > lo else lo * 2, 25)
    for vals, color, name in ((b, BEFORE, "original"), (a, AFTER, "rewrite")):
        if len(vals):
            ax.hist(vals, bins=bins, color=color, alpha=0.6, label=f"{name} (median {np.median(vals):.1f})")
            ax.axvline(np.median(vals), color=color, linestyle="--", linewidth=1.5)
    ax.set_xscale("log")
    ax.set_xlabel("perplexity under the reference LM (log scale; lower = more fluent)")
    ax.set_ylabel("documents")
    ax.legend(frameon=False)
    ax.set_title("Perplexity before and after rewrite")
    return _png(fig)


def before_after_plot(rows: pd.DataFrame, title: str) -> bytes:
    """Paired bars per metric (rows: metric, original, rewrite), each metric on its own small axis."""
    _style()
    n = len(rows)
    fig, axes = plt.subplots(1, max(n, 1), figsize=(3.2 * max(n, 1) + 0.5, 3.2), squeeze=False)
    for ax, (_, row) in zip(axes[0], rows.iterrows()):
        vals = [float(row["original"]), float(row["rewrite"])]
        ax.bar(["original", "rewrite"], [0 if math.isnan(v) else v for v in vals], color=[BEFORE, AFTER])
        for x, v in enumerate(vals):
            ax.text(x, 0 if math.isnan(v) else v, _human(v) if abs(v) >= 10 else f"{v:.3g}", ha="center",
                    va="bottom")
        ax.set_title(str(row["metric"]), fontsize=10)
        top = max([v for v in vals if not math.isnan(v)] + [0.0])
        ax.set_ylim(0, top * 1.25 if top > 0 else 1.0)
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return _png(fig)


def share_plot(rows: pd.DataFrame, title: str) -> bytes:
    """Horizontal bars of shares in percent (rows: metric, share, total), 100% marked."""
    _style()
    d = rows.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.6 * max(len(d), 1) + 1.2))
    vals = [0.0 if (v is None or math.isnan(v)) else 100.0 * float(v) for v in d["share"]]
    ax.barh([str(m) for m in d["metric"]], vals, color=AFTER)
    for y, (v, total, share) in enumerate(zip(vals, d["total"], d["share"])):
        label = "n/a (none in originals)" if share is None or math.isnan(share) else f"{v:.1f}% of {int(total):,}"
        ax.text(min(v, 100) + 1, y, label, va="center")
    ax.axvline(100, color="#333333", linewidth=1)
    ax.set_xlim(0, 135)
    ax.set_xlabel("% of the originals' items found in the rewrite")
    ax.set_title(title)
    return _png(fig)


def judge_plot(summary: pd.DataFrame) -> bytes:
    """Mean judge score per aspect (1-10), original vs rewrite side by side."""
    _style()
    fig, ax = plt.subplots(figsize=(8, 3.8))
    x = np.arange(len(summary))
    w = 0.38
    for off, col, color in ((-w / 2, "original", BEFORE), (w / 2, "rewrite", AFTER)):
        vals = summary[col].astype(float).fillna(0).to_numpy()
        ax.bar(x + off, vals, w, color=color, label=col)
        for xi, v in zip(x, vals):
            ax.text(xi + off, v, f"{v:.1f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [str(v) for v in summary["label"]], rotation=12)
    ax.set_ylim(0, 10.8)
    ax.set_ylabel("mean score (1-10)")
    pairs = int(summary["pairs"].max()) if len(summary) else 0
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(f"LLM judge, five aspects ({pairs} pairs)")
    return _png(fig)


def length_ratio_plot(hist: pd.DataFrame, median: float, hi: float) -> bytes:
    """Binned counts (computed in Spark: bin, lo, hi, documents) of the rewrite/original character ratio per
    document; 1.0 (same length) and the median marked, the last bin holding every ratio >= its left edge."""
    _style()
    fig, ax = plt.subplots(figsize=(8, 3.2))
    if len(hist):
        lo = hist["lo"].astype(float).to_numpy()
        width = (hist["hi"].astype(float) - hist["lo"].astype(float)).to_numpy()
        ax.bar(lo, hist["documents"].astype(float), width=width, align="edge", color=AFTER, alpha=0.8,
               edgecolor="white", linewidth=0.5)
        ax.axvline(1.0, color="#333333", linewidth=1)
        if median == median:
            ax.axvline(median, color=PALETTE[1], linestyle="--", label=f"median {median:.2f}")
            ax.legend(frameon=False)
    ax.set_xlim(0, hi)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    label = "rewrite length / original length (characters)"
    if len(hist):
        label += f"; last bin: all >= {hi - float(width[0]):.2f}"
    ax.set_xlabel(label)
    ax.set_ylabel("documents")
    ax.set_title("Length change by rewrite")
    return _png(fig)
