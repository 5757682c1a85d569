"""Training data for a worker: chat conversations rendered exactly as the rewrite engine renders its prompts.

- The conversation is rendered with the tokenizer's chat template as the transformers engine renders its prompt
  (a system turn folded into the first user turn when the template rejects system roles), so the worker is trained
  on the prompt it will see. A tokenizer without a chat template gets ChatML, saved with the worker.
- Loss only on the rewrite: labels are -100 on every prompt token; the model learns to polish, not to recite the
  rules. Examples longer than ``max_seq_len`` are dropped and counted (truncating would cut the target off from
  its source).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from native_align import storage

IGNORE = -100
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


# -- data ---------------------------------------------------------------------------------------------------------
def read_conversations(path: str | Path) -> list[list[dict]]:
    """``messages`` lists from a chat JSONL file (export-pairs' format), a path or URI; blank lines skipped."""
    out = []
    for n, line in enumerate(storage.read_text(path).split("\n"), 1):  # not splitlines: U+2028 may be text
        if not line.strip():
            continue
        rec = json.loads(line)
        msgs = rec.get("messages")
        if not msgs or msgs[-1].get("role") != "assistant":
            raise ValueError(f"{path}:{n}: a record needs messages ending with an assistant turn")
        out.append(msgs)
    return out


def _fold_system(messages: list[dict]) -> list[dict]:
    """Templates that reject a system role (Gemma) get it prepended to the first user turn (as the engine does)."""
    if messages and messages[0]["role"] == "system" and len(messages) > 1:
        system, rest = messages[0]["content"], [dict(m) for m in messages[1:]]
        rest[0]["content"] = system + "\n\n" + rest[0]["content"]
        return rest
    return messages


def _template(tokenizer, messages: list[dict], add_generation_prompt: bool) -> str:
    try:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    except Exception:
        return tokenizer.apply_chat_template(_fold_system(messages), tokenize=False,
                                             add_generation_prompt=add_generation_prompt)


# Gemma's own turn markers, for a Gemma tokenizer read from GGUF (which carries no template): the markers are
# single tokens of its vocabulary, where ChatML's would be spelled out in pieces.
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{% set role = 'model' if message['role'] == 'assistant' "
    "else message['role'] %}<start_of_turn>{{ role }}\n{{ message['content'] }}<end_of_turn>\n{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


def _single_token(tokenizer, text: str) -> bool:
    ids = tokenizer.convert_tokens_to_ids(text)
    return isinstance(ids, int) and ids != tokenizer.unk_token_id and ids is not None


def ensure_chat_template(tokenizer) -> bool:
    """Give a template-less tokenizer one (Gemma turn markers when its vocabulary has them, else ChatML); returns
    True when it did. The template is saved with the worker, so the rewrite engine renders the same turns."""
    if getattr(tokenizer, "chat_template", None):
        return False
    gemma = all(_single_token(tokenizer, t) for t in ("<start_of_turn>", "<end_of_turn>"))
    tokenizer.chat_template = GEMMA_TEMPLATE if gemma else CHATML_TEMPLATE
    return True


def encode_example(tokenizer, messages: Sequence[dict], max_seq_len: int) -> dict[str, list[int]] | None:
    """input_ids + labels (-100 on the prompt) for one conversation; None when longer than ``max_seq_len``."""
    messages = [dict(m) for m in messages]
    prompt_text = _template(tokenizer, messages[:-1], add_generation_prompt=True)
    full_text = _template(tokenizer, messages, add_generation_prompt=False)
    if full_text.startswith(prompt_text):
        completion_text = full_text[len(prompt_text):]
    else:  # unusual template: the answer plus EOS
        completion_text = messages[-1]["content"] + (tokenizer.eos_token or "")
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    completion_ids = tokenizer(completion_text, add_special_tokens=False)["input_ids"]
    eos = tokenizer.eos_token_id
    if eos is not None and eos not in completion_ids:
        completion_ids = completion_ids + [eos]  # the worker must learn to stop
    ids = prompt_ids + completion_ids
    if len(ids) > max_seq_len:
        return None
    return {"input_ids": ids, "labels": [IGNORE] * len(prompt_ids) + completion_ids}


class PairDataset:
    """A list-backed torch-style dataset of encoded examples (the seed is small: thousands, not millions)."""

    def __init__(self, examples: list[dict[str, list[int]]]):
        self.examples = examples

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, i: int) -> dict[str, list[int]]:
        return self.examples[i]


def encode_all(tokenizer, conversations: list[list[dict]], max_seq_len: int) -> tuple[PairDataset, int]:
    encoded = [encode_example(tokenizer, c, max_seq_len) for c in conversations]
    kept = [e for e in encoded if e is not None]
    return PairDataset(kept), len(encoded) - len(kept)


@dataclass
class PadCollator:
    """Right-pads a batch; labels padded with -100, attention mask 0 on padding."""

    pad_id: int

    def __call__(self, batch: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        width = max(len(b["input_ids"]) for b in batch)
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for r, b in enumerate(batch):
            n = len(b["input_ids"])
            ids[r, :n] = torch.tensor(b["input_ids"])
            labels[r, :n] = torch.tensor(b["labels"])
            mask[r, :n] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}
