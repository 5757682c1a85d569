"""Token counting for the manifest, on the executors: the tokenizer is loaded once per Python worker process.

The path must be readable on every node (a shared mount, a Volume, or a Hugging Face hub name with the hub's
cache reachable); ``None`` counts whitespace words, labelled as an estimate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

Counter = Callable[[list[str]], list[int]]

# tokenizer path -> count function; lives as long as the Python worker (Spark reuses workers between tasks).
_COUNTERS: dict[str | None, Counter] = {}


def token_label(tokenizer: str | None) -> str:
    """How the manifest's token total was counted (computed on the driver, without loading anything)."""
    if not tokenizer:
        return "estimate: whitespace words (no tokenizer set)"
    path = Path(tokenizer)
    if path.is_file() and path.suffix == ".json":
        return f"tokenizer: {path.name}"
    return f"tokenizer: {tokenizer}"


def token_counter(tokenizer: str | None) -> Counter:
    """The count function over a batch of texts, cached per process and tokenizer."""
    if tokenizer not in _COUNTERS:
        _COUNTERS[tokenizer] = _load(tokenizer)
    return _COUNTERS[tokenizer]


def _load(tokenizer: str | None) -> Counter:
    if not tokenizer:
        return lambda texts: [len(t.split()) for t in texts]
    path = Path(tokenizer)
    if path.is_file() and path.suffix == ".json":
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(path))
        return lambda texts: [len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=False)]
    from transformers import AutoTokenizer

    if path.is_file() and path.suffix == ".gguf":
        hf = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    else:
        hf = AutoTokenizer.from_pretrained(tokenizer)
    return lambda texts: [len(ids) for ids in hf(texts, add_special_tokens=False)["input_ids"]]
