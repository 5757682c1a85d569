"""LLM judge: scores original and rewritten documents on the paper's five aspects, 1-10.

AceGPT-v2 judged rewrites on format, accuracy of information, content moderation, advertisement removal and level
of detail. We ask the judge to score *one text at a time* (the original and its rewrite in separate requests,
same prompt) rather than both side by side: absolute scores avoid the position bias of pairwise prompts and
let a before/after comparison be read per aspect. Judges wrap JSON in prose and code fences, rename keys and
write "8/10": :func:`parse_scores` accepts all of that and marks a reply unusable rather than guessing.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

log = logging.getLogger(__name__)

ASPECTS: tuple[str, ...] = ("format", "accuracy", "moderation", "advertisement", "detail")
ASPECT_LABELS: dict[str, str] = {
    "format": "Format",
    "accuracy": "Accuracy of information",
    "moderation": "Content moderation",
    "advertisement": "Advertisement removal",
    "detail": "Level of detail",
}
# Normalized key (lowercase, non-alphanumerics -> "_") -> aspect.
_ALIASES: dict[str, str] = {
    "format": "format", "formatting": "format", "structure": "format", "format_score": "format",
    "accuracy": "accuracy", "accuracy_of_information": "accuracy", "information_accuracy": "accuracy",
    "factual_accuracy": "accuracy", "accuracy_score": "accuracy",
    "moderation": "moderation", "content_moderation": "moderation", "safety": "moderation",
    "moderation_score": "moderation",
    "advertisement": "advertisement", "advertisement_removal": "advertisement", "advertisements": "advertisement",
    "ads": "advertisement", "ad_removal": "advertisement", "advertising": "advertisement",
    "no_advertisement": "advertisement", "no_advertisements": "advertisement",
    "detail": "detail", "level_of_detail": "detail", "details": "detail", "detail_level": "detail",
    "level_of_details": "detail",
}

SYSTEM_PROMPT = (
    "You are a strict evaluator of Arabic text intended for language-model pre-training. "
    "You answer with a single JSON object and nothing else."
)
USER_TEMPLATE = """Rate the Arabic text between <text> and </text> on five aspects, each an integer from 1 (worst) to 10 (best):
- format: clean, readable structure; no broken markup, navigation debris or garbled characters.
- accuracy: the information is stated clearly and consistently, with no invented or contradictory facts.
- moderation: free of offensive, hateful, vulgar or otherwise unsafe content.
- advertisement: free of advertisements, promotions, calls to action, phone numbers and links.
- detail: keeps a useful level of detail and substance (not truncated or thinned out).

Reply with JSON only, exactly these keys: {{"format": n, "accuracy": n, "moderation": n, "advertisement": n, "detail": n}}

<text>
{text}
</text>"""


def judge_messages(text: str, max_chars: int = 6000) -> list[dict[str, str]]:
    """The chat request for one text (cut to ``max_chars``: judging cost grows with length)."""
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": USER_TEMPLATE.format(text=text[:max_chars])}]


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(key).strip().lower()).strip("_")


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*10|out\s+of\s+10)?\s*$", re.I)


def _score_value(value: Any) -> float | None:
    """8, 8.5, "8", "8/10", "8 out of 10", {"score": 8} -> float in [1, 10]; anything else -> None."""
    if isinstance(value, dict):
        for k in ("score", "value", "rating"):
            if k in value:
                return _score_value(value[k])
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        m = _NUMBER.match(value)
        if not m:
            return None
        x = float(m.group(1))
    else:
        return None
    return x if 1.0 <= x <= 10.0 else None


def _json_objects(text: str) -> list[Any]:
    """Every balanced ``{...}`` in ``text`` that parses as JSON, outermost first."""
    found, depth, start, in_str, esc = [], 0, -1, False, False
    for i, ch in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"' and depth > 0:
            in_str = True
        elif ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                try:
                    found.append(json.loads(text[start:i + 1]))
                except ValueError:
                    pass
    return found


def _from_mapping(obj: dict) -> dict[str, float | None]:
    scores: dict[str, float | None] = {}
    for key, value in obj.items():
        aspect = _ALIASES.get(_norm_key(key))
        if aspect and scores.get(aspect) is None:
            scores[aspect] = _score_value(value)
        elif isinstance(value, dict) and not aspect:  # {"scores": {...}}
            for a, v in _from_mapping(value).items():
                if scores.get(a) is None:
                    scores[a] = v
    return scores


_LINE = re.compile(r"([A-Za-z][A-Za-z _\-]{1,40}?)\s*[:=\-]\s*\**\s*(\d+(?:\.\d+)?)\s*(?:/\s*10)?", re.M)


def parse_scores(reply: str | None) -> dict[str, float | None]:
    """Aspect -> score (None where missing or out of 1..10). JSON first, then "Format: 8" style lines."""
    out: dict[str, float | None] = {a: None for a in ASPECTS}
    if not reply:
        return out
    for obj in _json_objects(reply):
        if isinstance(obj, dict):
            for aspect, score in _from_mapping(obj).items():
                if out[aspect] is None:
                    out[aspect] = score
        if all(v is not None for v in out.values()):
            return out
    for m in _LINE.finditer(reply):
        aspect = _ALIASES.get(_norm_key(m.group(1)))
        if aspect and out[aspect] is None:
            out[aspect] = _score_value(m.group(2))
    return out


@dataclass(frozen=True)
class JudgeItem:
    doc_id: str
    original: str
    rewrite: str


def judge_pairs(client, items: Sequence[JudgeItem], max_chars: int = 6000) -> pd.DataFrame:
    """One row per (doc_id, version) with the five aspect scores, ``parsed`` (all five usable) and ``error``.

    ``client`` is a :class:`native_align.llm.client.ChatClient`; failed requests stay in the frame, counted.
    """
    requests, keys = [], []
    for item in items:
        for version, text in (("original", item.original), ("rewrite", item.rewrite)):
            requests.append(judge_messages(text or "", max_chars))
            keys.append((item.doc_id, version, len(text or "") > max_chars))
    results = client.complete_many(requests) if requests else []
    rows = []
    for (doc_id, version, cut), res in zip(keys, results):
        scores = parse_scores(res.text) if res.ok else {a: None for a in ASPECTS}
        parsed = all(v is not None for v in scores.values())
        error = res.error if not res.ok else (None if parsed else "unparsable judge reply")
        rows.append({"doc_id": doc_id, "version": version, **scores, "parsed": parsed, "truncated": cut,
                     "error": error})
    return pd.DataFrame(rows, columns=["doc_id", "version", *ASPECTS, "parsed", "truncated", "error"])


def judge_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """aspect x {original, rewrite} mean score over pairs where *both* versions parsed (like with like)."""
    ok = scores[scores["parsed"]]
    both = ok.groupby("doc_id")["version"].nunique()
    ok = ok[ok["doc_id"].isin(both[both == 2].index)]
    rows = []
    for aspect in ASPECTS:
        row = {"aspect": aspect, "label": ASPECT_LABELS[aspect], "pairs": int(ok["doc_id"].nunique())}
        for version in ("original", "rewrite"):
            vals = ok.loc[ok["version"] == version, aspect]
            row[version] = float(vals.mean()) if len(vals) else float("nan")
        row["delta"] = row["rewrite"] - row["original"]
        rows.append(row)
    return pd.DataFrame(rows, columns=["aspect", "label", "pairs", "original", "rewrite", "delta"])
