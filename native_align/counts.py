"""Counting what a stage wrote, in one place: rows per outcome and per reject reason, from the data itself.

Every runner returns a flat ``{name: int}`` dict (it lands in the `runs` table and the printed summary). Outcomes
and reasons are counted in one small Spark job over the rows the stage wrote, so a runner never tallies by hand.
"""

from __future__ import annotations

from typing import Any, Mapping

from pyspark.sql import DataFrame

REASON_PREFIX = "reason."


def outcome_counts(df: DataFrame, status: str, reasons: str | None = None,
                   labels: Mapping[Any, str] | None = None, reason_prefix: str = REASON_PREFIX) -> dict[str, int]:
    """Rows per value of ``status`` (renamed by ``labels``; None counts as ``"none"``) and, when ``reasons`` names
    an array column, rows per reason as ``<reason_prefix><reason>``; one ``groupBy`` job."""
    keys = [status] + ([reasons] if reasons else [])
    out: dict[str, int] = {}
    for row in df.groupBy(*keys).count().collect():
        n = int(row["count"])
        value = row[status]
        name = labels.get(value, str(value)) if labels else ("none" if value is None else str(value))
        out[name] = out.get(name, 0) + n
        for reason in (row[reasons] or []) if reasons else ():
            key = f"{reason_prefix}{reason}"
            out[key] = out.get(key, 0) + n
    return out


def reasons_of(counts: Mapping[str, int], prefix: str = REASON_PREFIX) -> list[tuple[str, int]]:
    """The ``<prefix>name`` entries of ``counts`` as (name, n), most frequent first."""
    found = [(k[len(prefix):], int(v)) for k, v in counts.items() if k.startswith(prefix)]
    return sorted(found, key=lambda kv: (-kv[1], kv[0]))


def top_reasons(counts: Mapping[str, int], n: int = 5, prefix: str = REASON_PREFIX) -> str:
    """``name=1,234, ...`` for a log line ("none" when there is no reason)."""
    return ", ".join(f"{name}={k:,}" for name, k in reasons_of(counts, prefix)[:n]) or "none"


def ordered(counts: Mapping[str, int], first: tuple[str, ...] = (), prefix: str = REASON_PREFIX) -> dict[str, int]:
    """``first`` keys in that order (0 when absent), then the other plain keys, then reasons by frequency."""
    out = {k: int(counts.get(k, 0)) for k in first}
    out.update({k: int(v) for k, v in counts.items() if k not in out and not k.startswith(prefix)})
    out.update({f"{prefix}{name}": n for name, n in reasons_of(counts, prefix)})
    return out
