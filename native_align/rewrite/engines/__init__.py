"""Rewrite engines behind one interface (:class:`~native_align.rewrite.engines.base.Engine`).

``make_engine(cfg)`` builds the engine a :class:`RewriteConfig` names; ``model_id(cfg)`` says which model that is
*without loading it* (Spark needs it to compute the work set before any actor starts). Backends import lazily:
this package must stay importable without torch, aiohttp or vllm.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from typing import Any

from native_align.alignment.worker_record import read_record
from native_align.lm.reference import REFERENCE_GGUF_PACKAGE, REFERENCE_MODEL_ID, reference_model
from native_align.rewrite.engines.base import Engine, EngineUnavailable, Generation, Prompt, budget

__all__ = ["Engine", "Generation", "Prompt", "budget", "make_engine", "model_id", "EngineUnavailable"]


def _transformers_model(cfg) -> tuple[str, str | None, bool]:
    """(model path or id, gguf file, is the reference base model)."""
    t = cfg.transformers
    if t.model:
        return t.model, t.gguf_file, False
    ref = reference_model()
    if ref is None:
        raise EngineUnavailable(f"rewrite.transformers.model is not set and the reference model package "
                                f"({REFERENCE_GGUF_PACKAGE}, extra 'gemma') is not installed")
    return ref[0], ref[1], True


def model_id(cfg) -> str:
    """The label stored in ``aligned.model`` for this configuration."""
    if cfg.model_name:
        return cfg.model_name
    if cfg.engine == "transformers":
        t = cfg.transformers
        record = read_record(t.model) if t.model and not t.gguf_file and os.path.isdir(t.model) else None
        if record is not None:
            return record.worker_id
        if t.model:
            return os.path.basename(t.gguf_file) if t.gguf_file else t.model.rstrip("/")
        return REFERENCE_MODEL_ID
    if cfg.engine == "openai":
        return cfg.openai.model_id
    if cfg.engine == "vllm":
        return cfg.vllm.model
    return cfg.engine_options.get("model_id", cfg.engine)


def _check_importable(*modules: str) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise EngineUnavailable(f"engine needs {', '.join(missing)} (pip install 'native-align[ml]')")


def make_engine(cfg) -> Any:
    """Build the engine of a RewriteConfig (called inside each Ray actor)."""
    if cfg.engine == "transformers":
        _check_importable("torch", "transformers")
        from native_align.rewrite.engines.transformers_engine import TransformersEngine

        model, gguf, is_reference = _transformers_model(cfg)
        t = cfg.transformers
        if is_reference and t.prompt_format == "auto":
            # Gemma 3 270M is a *base* model: its GGUF carries a chat template, but it was never tuned to follow it.
            t = t.model_copy(update={"prompt_format": "completion"})
        return TransformersEngine.from_config(t, model, gguf_file=gguf, model_id=model_id(cfg))
    if cfg.engine == "openai":
        from native_align.rewrite.engines.openai_engine import OpenAIEngine

        return OpenAIEngine.from_config(cfg.openai, model_id=model_id(cfg))
    if cfg.engine == "vllm":
        from native_align.rewrite.engines.vllm_engine import VllmEngine

        return VllmEngine.from_config(cfg.vllm, model_id=model_id(cfg))
    if ":" in cfg.engine:
        module, name = cfg.engine.split(":", 1)
        return getattr(importlib.import_module(module), name)(**cfg.engine_options)
    raise EngineUnavailable(f"unknown rewrite.engine {cfg.engine!r}: transformers, openai, vllm or module:Class")
