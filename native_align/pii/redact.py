"""``redact(text, policy)`` and ``redact_batch(texts, policy)``: detections -> placeholders, counts, drop flag.

Per kind the policy says ``redact`` (replace the span by the kind's placeholder), ``drop`` (the document should be
dropped: ``drop=True`` is returned and the caller decides; the span is *also* replaced, so a caller that ignores
the flag never publishes it) or ``keep`` (detect and count, leave the text as is). Counts cover every detected
span, whatever the action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from native_align.pii.detect import DetectOptions, Span, detect
from native_align.pii.kinds import ACTIONS, DEFAULT_PLACEHOLDERS, KINDS


@dataclass(frozen=True)
class Policy:
    """Compiled, picklable policy (built once per Spark task / batch, not per document)."""

    actions: Mapping[str, str] = field(default_factory=lambda: {k: "redact" for k in KINDS})
    placeholders: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PLACEHOLDERS))
    options: DetectOptions = field(default_factory=DetectOptions)
    enabled: bool = True

    def __post_init__(self):
        bad = {k: v for k, v in self.actions.items() if k not in KINDS or v not in ACTIONS}
        if bad:
            raise ValueError(f"unknown kind or action in PII policy: {bad} (kinds {KINDS}, actions {ACTIONS})")
        actions = {k: "redact" for k in KINDS} | dict(self.actions)
        object.__setattr__(self, "actions", actions)
        object.__setattr__(self, "placeholders", dict(DEFAULT_PLACEHOLDERS) | dict(self.placeholders))

    @classmethod
    def from_config(cls, cfg: Any) -> Policy:
        """From a ``PiiConfig`` (duck-typed: anything with its fields)."""
        return cls(
            actions=cfg.policy.model_dump(), placeholders=cfg.placeholders.model_dump(), enabled=cfg.enabled,
            options=DetectOptions(context_window=cfg.context_window,
                                  national_id_requires_context=cfg.national_id_requires_context,
                                  phone_generic_international=cfg.phone_generic_international,
                                  keep_service_numbers=cfg.keep_service_numbers),
        )


def as_policy(policy: Policy | Mapping[str, str] | Any | None) -> Policy:
    """A ``Policy`` from a Policy, a ``PiiConfig``, a ``{kind: action}`` mapping, or None (redact everything)."""
    if policy is None:
        return DEFAULT_POLICY
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Mapping):
        return Policy(actions=dict(policy))
    return Policy.from_config(policy)


DEFAULT_POLICY = Policy()


@dataclass
class RedactionResult:
    text: str
    counts: dict[str, int]
    spans: list[Span]
    drop: bool


def _apply(text: str, spans: list[Span], policy: Policy) -> tuple[str, dict[str, int], bool]:
    counts = dict.fromkeys(KINDS, 0)
    drop = False
    parts, pos = [], 0
    for sp in spans:
        counts[sp.kind] += 1
        action = policy.actions[sp.kind]
        if action == "keep":
            continue
        drop = drop or action == "drop"
        parts.append(text[pos:sp.start])
        parts.append(policy.placeholders[sp.kind])
        pos = sp.end
    if pos == 0:
        return text, counts, drop
    parts.append(text[pos:])
    return "".join(parts), counts, drop


def redact(text: str, policy: Policy | Mapping[str, str] | Any | None = None) -> RedactionResult:
    """Detect PII in ``text`` and apply ``policy``. Spans refer to offsets in the *input* text."""
    pol = as_policy(policy)
    if not pol.enabled or not text:
        return RedactionResult(text, dict.fromkeys(KINDS, 0), [], False)
    spans = detect(text, pol.options)
    new, counts, drop = _apply(text, spans, pol)
    return RedactionResult(new, counts, spans, drop)


@dataclass
class BatchResult:
    """Column-oriented result of ``redact_batch``: what an Arrow batch needs (no spans)."""

    texts: list[str | None]
    counts: dict[str, list[int]]
    drop: list[bool]


def redact_batch(texts: Sequence[str | None], policy: Policy | Mapping[str, str] | Any | None = None) -> BatchResult:
    """``redact`` over a list (None stays None with zero counts). The policy is compiled once for the batch."""
    pol = as_policy(policy)
    out_texts: list[str | None] = []
    counts: dict[str, list[int]] = {k: [] for k in KINDS}
    drops: list[bool] = []
    opts = pol.options
    for text in texts:
        if not text or not pol.enabled:
            out_texts.append(text)
            for k in KINDS:
                counts[k].append(0)
            drops.append(False)
            continue
        spans = detect(text, opts)
        if spans:
            new, c, drop = _apply(text, spans, pol)
        else:
            new, c, drop = text, None, False
        out_texts.append(new)
        for k in KINDS:
            counts[k].append(c[k] if c else 0)
        drops.append(drop)
    return BatchResult(out_texts, counts, drops)
