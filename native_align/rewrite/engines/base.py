"""The one interface every rewrite engine implements, so the Ray worker never cares which backend runs.

Kept free of pydantic, Spark and Ray imports: the GPU benchmark imports the transformers engine on a machine
that only has torch + transformers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, Sequence, Union, runtime_checkable

# A prompt is either chat messages ([{"role": ..., "content": ...}]) or a plain completion string.
Prompt = Union[str, Sequence[dict]]
PromptFormat = Literal["chat", "completion"]


class EngineUnavailable(RuntimeError):
    """The configured engine cannot run here (package or model missing); the stage skips with this message."""


@dataclass
class Generation:
    """One engine output. ``error`` set means no usable text (the document keeps its original, status error)."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # stop (EOS / stop string), length (hit max_new_tokens), error
    finish_reason: str | None = None
    error: str | None = None

    @classmethod
    def failed(cls, error: str) -> "Generation":
        return cls(text="", finish_reason="error", error=error)


@runtime_checkable
class Engine(Protocol):
    """``generate`` returns exactly one :class:`Generation` per prompt, in order, and never raises for one bad
    prompt (it reports it in ``error``); it may raise when the whole engine is broken."""

    name: str
    model_id: str

    @property
    def prompt_format(self) -> PromptFormat:
        """Which form of the prompt template this engine wants."""

    @property
    def context_length(self) -> int:
        """Tokens of prompt + output the engine can take."""

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Token counts (exact with a tokenizer, estimated for HTTP engines); used to split long documents."""

    def max_new_tokens_for(self, input_tokens: int) -> int:
        """Output budget for a document piece of ``input_tokens`` tokens."""

    def generate(self, prompts: Sequence[Prompt], max_new_tokens: Sequence[int] | None = None,
                 stop: Sequence[str] = ()) -> list[Generation]:
        """Rewrite a batch."""


def budget(input_tokens: int, ratio: float, slack: int, floor: int, cap: int) -> int:
    """max_new_tokens relative to the input: a rewrite is about as long as its original, never unbounded."""
    return int(max(floor, min(cap, round(input_tokens * ratio) + slack)))
