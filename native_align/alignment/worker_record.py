"""What a trained worker folder says about how it was taught, so it is prompted at rewrite time exactly so.

``train-worker`` writes ``worker.json`` and the prompt template's own YAML text (``prompt.yaml``) next to the
weights. The rewrite stage reads them: the worker gets the template it was trained on (same wording, same version,
few-shot turns or not, chat or completion form), and ``aligned.model`` names the exact weights
(``<folder name>@<sha256 of the weight files, 10 hex>``), so retraining into the same folder is a new model, never
"already done". A setting that contradicts the record is an error naming both (:func:`check_consistent`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RECORD_FILE = "worker.json"
PROMPT_FILE = "prompt.yaml"
RECORD_FORMAT = 1


class WorkerRecordError(ValueError):
    """A rewrite setting contradicts how the worker was trained (the message names both)."""


@dataclass
class WorkerRecord:
    """How a worker was trained; saved as ``worker.json`` beside its weights."""

    worker_id: str
    weights_sha256: str
    base_model: str
    prompt_name: str
    prompt_version: str
    few_shot: bool
    prompt_format: str = "chat"
    chat_template_sha256: str | None = None
    method: str = "full"
    origins: list[str] = field(default_factory=list)
    train_examples: int = 0
    trained_at: str = ""
    format: int = RECORD_FORMAT

    def save(self, folder: str | Path, prompt_yaml: str) -> None:
        folder = Path(folder)
        (folder / PROMPT_FILE).write_text(prompt_yaml, encoding="utf-8")
        (folder / RECORD_FILE).write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")


def weights_sha256(folder: str | Path) -> str:
    """sha256 over the folder's weight files (``*.safetensors``, ``*.bin``) in name order: identifies the weights."""
    h = hashlib.sha256()
    files = sorted(p for p in Path(folder).iterdir() if p.suffix in (".safetensors", ".bin") and p.is_file())
    if not files:
        raise FileNotFoundError(f"no weight files (*.safetensors, *.bin) in {folder}")
    for path in files:
        h.update(path.name.encode())
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def text_sha256(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else None


def new_record(folder: str | Path, *, base_model: str, prompt: Any, few_shot: bool, chat_template: str | None,
               method: str, origins: list[str], train_examples: int) -> WorkerRecord:
    """A record for the weights just saved in ``folder`` (``prompt`` is a PromptTemplate)."""
    sha = weights_sha256(folder)
    return WorkerRecord(worker_id=f"{Path(folder).resolve().name}@{sha[:10]}", weights_sha256=sha,
                        base_model=base_model, prompt_name=prompt.name, prompt_version=prompt.version,
                        few_shot=few_shot, chat_template_sha256=text_sha256(chat_template), method=method,
                        origins=list(origins), train_examples=train_examples,
                        trained_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))


def read_record(folder: str | Path | None) -> WorkerRecord | None:
    """The record of a worker folder, or None for any other model (a hub id, a plain folder, a GGUF file)."""
    if not folder:
        return None
    path = Path(folder) / RECORD_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    known = set(WorkerRecord.__dataclass_fields__)
    return WorkerRecord(**{k: v for k, v in data.items() if k in known})


def prompt_text(folder: str | Path) -> str:
    """The YAML text of the template the worker was trained on."""
    path = Path(folder) / PROMPT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing: the worker folder has {RECORD_FILE} but not its prompt")
    return path.read_text(encoding="utf-8")


def check_consistent(record: WorkerRecord, folder: str | Path, *, prompt: Any | None, few_shot: bool | None,
                     prompt_format: str | None) -> None:
    """Raise :class:`WorkerRecordError` when an explicitly set rewrite option contradicts the record.

    ``prompt`` is the template the settings name (None: not set), ``few_shot`` ``rewrite.chat_few_shot`` (None: not
    set), ``prompt_format`` the engine's ``prompt_format`` (``auto``/None: not set)."""
    where = f"worker {record.worker_id} ({folder}/{RECORD_FILE})"
    if prompt is not None and prompt.version != record.prompt_version:
        raise WorkerRecordError(f"rewrite.prompt is {prompt.version} but {where} was trained with "
                                f"{record.prompt_version}; unset rewrite.prompt to use the worker's own")
    if few_shot is not None and bool(few_shot) != bool(record.few_shot):
        raise WorkerRecordError(f"rewrite.chat_few_shot={few_shot} but {where} was trained with "
                                f"few_shot={record.few_shot}; unset rewrite.chat_few_shot")
    if prompt_format not in (None, "auto") and prompt_format != record.prompt_format:
        raise WorkerRecordError(f"rewrite.transformers.prompt_format={prompt_format} but {where} was trained on "
                                f"the {record.prompt_format} form; set it to auto")
