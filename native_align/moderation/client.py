"""Moderation by an OpenAI-compatible endpoint: ``POST /moderations``, or a chat model judging by a fixed rubric.

Why through ``native_align.llm.client``: the expert, the judge and this scorer must behave alike under load —
bounded concurrency, RPM limits, retries with backoff and jitter on 429 (Retry-After honoured), 5xx, timeouts and
malformed replies, the key read from an environment variable at request time and redacted from errors. The judge
mode *is* a :class:`ChatClient`; the moderations mode is a :class:`ChatClient` whose URL, body and reply parsing
differ (:class:`ModerationsClient`), so there is one retry loop in the project.

Endpoint categories are mapped to ours (the paper's four), each taking the highest score of its sources:
OpenAI ``harassment*`` -> profanity, ``hate*`` -> insult_group, ``sexual*`` -> sexual, ``*/threatening`` ->
threat (``violence`` is *not* a threat: it flags reports of violence in news); Llama Guard S1 (violent crimes) ->
threat, S3/S4/S12 -> sexual, S10 (hate) -> insult_group, other codes only in ``raw``; Llama Guard has no
profanity category, so that scorer does not score it. The endpoint's own scores stay in ``ModerationResult.raw``.

Results are cached by (text hash, model, mode + rubric version): reruns and duplicate texts send nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Any, Mapping, Sequence

from native_align.llm.client import ChatClient, ChatResult
from native_align.moderation.base import CATEGORIES, ModerationResult, ModerationScorer

OPENAI_MAP: dict[str, tuple[str, ...]] = {
    "harassment": ("profanity",), "harassment/threatening": ("profanity", "threat"),
    "hate": ("insult_group",), "hate/threatening": ("insult_group", "threat"),
    "sexual": ("sexual",), "sexual/minors": ("sexual",),
}
LLAMA_GUARD_MAP: dict[str, tuple[str, ...]] = {
    "S1": ("threat",), "S3": ("sexual",), "S4": ("sexual",), "S10": ("insult_group",), "S12": ("sexual",),
}
RUBRIC_VERSION = "rubric-v1"
RUBRIC = (
    "You moderate Arabic and English text for a pre-training corpus. Rate the user's text on four categories, "
    "each a probability between 0 and 1 that the text contains it:\n"
    "- profanity: obscene words, or insults aimed at a person;\n"
    "- sexual: sexually explicit content;\n"
    "- insult_group: insults, slurs or hate aimed at a group (religion, ethnicity, nationality, gender);\n"
    "- threat: a threat of violence against someone, or a call to violence.\n"
    "Neutral reporting of such things (news of a crime, a court ruling) is not itself the category. "
    'Reply with JSON only: {"profanity": p, "sexual": p, "insult_group": p, "threat": p}'
)


def text_key(text: str, model: str, mode: str) -> str:
    """Cache key: SHA-256 of the exact text sent (not a folded view: the endpoint saw these characters)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return hashlib.sha256(f"{digest}\x00{model}\x00{mode}".encode("utf-8")).hexdigest()


class ModerationCache:
    """Endpoint replies (raw scores) by key: an SQLite file under ``cache_dir`` shared by runs, or a dict."""

    def __init__(self, cache_dir: str | Path | None = None):
        self.path = Path(cache_dir) / "moderation.sqlite" if cache_dir else None
        self._memory: dict[str, str] = {}
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, raw TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(str(self.path), timeout=30)

    def get_many(self, keys: Sequence[str]) -> dict[str, dict[str, float]]:
        if self.path is None:
            return {k: json.loads(self._memory[k]) for k in keys if k in self._memory}
        out: dict[str, dict[str, float]] = {}
        with self._connect() as db:
            for lo in range(0, len(keys), 500):
                chunk = list(keys[lo:lo + 500])
                marks = ",".join("?" * len(chunk))
                for key, raw in db.execute(f"SELECT key, raw FROM results WHERE key IN ({marks})", chunk):
                    out[key] = json.loads(raw)
        return out

    def put_many(self, items: Mapping[str, Mapping[str, float]]) -> None:
        rows = [(k, json.dumps(v, sort_keys=True)) for k, v in items.items()]
        if self.path is None:
            self._memory.update(rows)
            return
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO results (key, raw) VALUES (?, ?)", rows)


class ModerationsClient(ChatClient):
    """``POST {base_url}/moderations`` with ChatClient's retries: a request is a batch of texts (as user
    messages); a reply's ``text`` is the JSON list of per-text ``category_scores``, validated."""

    path = "moderations"

    def build_body(self, messages, params) -> dict[str, Any]:
        return {"model": self.model, "input": [m["content"] for m in messages], **params}

    def parse_reply(self, raw: bytes, body: dict[str, Any]) -> ChatResult:
        results = json.loads(raw)["results"]
        if not isinstance(results, list) or len(results) != len(body["input"]):
            raise ValueError("results do not match the inputs")
        scores = [{str(k): float(v) for k, v in r["category_scores"].items()} for r in results]
        return ChatResult(text=json.dumps(scores), finish_reason="stop", usage_estimated=True)


def parse_judge_reply(text: str) -> dict[str, float]:
    """Raw scores from a judge reply: our rubric's JSON (category -> probability or bool), or Llama Guard's
    "safe" / "unsafe\\nS1,S10" (every mapped code 0.0, the listed ones 1.0). ValueError if neither."""
    body = text.strip()
    found = re.search(r"\{.*\}", body, re.S)
    if found:
        try:
            data = json.loads(found.group(0))
        except ValueError:
            data = None
        if isinstance(data, dict) and any(c in data for c in CATEGORIES):
            return {c: float(data[c]) for c in CATEGORIES if isinstance(data.get(c), (int, float, bool))}
    first, _, rest = body.partition("\n")
    verdict = first.strip().lower()
    if verdict in ("safe", "unsafe"):
        raw = {code: 0.0 for code in LLAMA_GUARD_MAP}
        if verdict == "unsafe":
            raw.update({f"S{n}": 1.0 for n in re.findall(r"S(\d+)", rest + " " + first, re.I)})
        return raw
    raise ValueError(f"unparseable judge reply: {body[:80]!r}")


def map_scores(raw: Mapping[str, float], mapping: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Our categories covered by ``raw``'s keys, each the highest score among its sources (raw keys that are our
    category names map to themselves)."""
    out: dict[str, float] = {}
    for key, value in raw.items():
        targets = mapping.get(key, (key,) if key in CATEGORIES else ())
        for cat in targets:
            out[cat] = max(out.get(cat, 0.0), float(value))
    return {c: out[c] for c in CATEGORIES if c in out}


class ApiScorer(ModerationScorer):
    """Scores by the configured endpoint; a text whose requests all failed gets ``error`` (never a fake 0)."""

    name = "api"

    def __init__(self, cfg, thresholds: Mapping[str, float] | None = None, cache_dir: str | Path | None = None):
        super().__init__(thresholds)
        if not cfg.base_url:
            raise ValueError("moderation endpoint base_url is not configured")
        self.cfg = cfg
        self.mode = cfg.mode if cfg.mode == "moderations" else f"judge:{RUBRIC_VERSION if cfg.judge_rubric else 'bare'}"
        base = OPENAI_MAP if cfg.mode == "moderations" else LLAMA_GUARD_MAP
        self.mapping = {**base, **{k: tuple(v) for k, v in cfg.category_map.items()}}
        unknown = {c for v in self.mapping.values() for c in v} - set(CATEGORIES)
        if unknown:
            raise ValueError(f"category_map names unknown categories {sorted(unknown)}")
        if cfg.mode == "moderations":
            self.client: ChatClient = ModerationsClient.from_config(cfg, max_tokens=None, temperature=None)
            self.categories = tuple(c for c in CATEGORIES if any(c in v for v in self.mapping.values()))
        else:
            self.client = ChatClient.from_config(cfg)
            self.categories = CATEGORIES if cfg.judge_rubric else \
                tuple(c for c in CATEGORIES if any(c in v for v in self.mapping.values()))
        self.cache = ModerationCache(cache_dir)
        self.requests_sent = 0  # attempts, for tests and cost accounting

    def __repr__(self) -> str:
        return f"ApiScorer(mode={self.mode!r}, client={self.client!r})"

    def score(self, texts: Sequence[str | None]) -> list[ModerationResult]:
        sent = [(t or "")[: self.cfg.max_chars] for t in texts]
        keys = [text_key(t, self.cfg.model, self.mode) for t in sent]
        raw = self.cache.get_many(sorted(set(k for k, t in zip(keys, sent) if t)))
        todo: dict[str, str] = {}
        for key, text in zip(keys, sent):
            if text and key not in raw:
                todo.setdefault(key, text)
        fresh, errors = self._request(todo) if todo else ({}, {})
        self.cache.put_many(fresh)
        raw.update(fresh)
        out = []
        for key, text in zip(keys, sent):
            if not text:
                out.append(self.result({c: 0.0 for c in self.categories}))
            elif key in raw:
                scores = map_scores(raw[key], self.mapping)
                out.append(self.result({c: scores.get(c, 0.0) for c in self.categories}, raw=raw[key]))
            else:
                out.append(self.error_result(errors.get(key, "no result")))
        return out

    def _request(self, todo: Mapping[str, str]) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
        """Raw scores per key for the texts in ``todo``, and an error message per key that got none."""
        keys = list(todo)
        fresh: dict[str, dict[str, float]] = {}
        errors: dict[str, str] = {}
        if self.cfg.mode == "moderations":
            batches = [keys[lo:lo + self.cfg.batch_size] for lo in range(0, len(keys), self.cfg.batch_size)]
            requests = [[{"role": "user", "content": todo[k]} for k in batch] for batch in batches]
            for batch, res in zip(batches, self.client.complete_many(requests)):
                self.requests_sent += res.attempts
                if res.ok:
                    fresh.update(zip(batch, json.loads(res.text)))
                else:
                    errors.update({k: res.error for k in batch})
            return fresh, errors
        system = [{"role": "system", "content": RUBRIC}] if self.cfg.judge_rubric else []
        requests = [system + [{"role": "user", "content": todo[k]}] for k in keys]
        for key, res in zip(keys, self.client.complete_many(requests)):
            self.requests_sent += res.attempts
            if not res.ok:
                errors[key] = res.error
                continue
            try:
                fresh[key] = parse_judge_reply(res.text)
            except ValueError as exc:  # a reply we cannot read is an error, not "safe"
                errors[key] = str(exc)
        return fresh, errors
