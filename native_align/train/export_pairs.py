"""``native-align export-pairs``: training pairs (the expert's and / or the noise model's) as training files.

Two formats, same conversations, built with the worker's instruction template (``train.prompt``):
- ``chat/{train,validation}.jsonl``: ``{"messages": [system, user, assistant], "doc_id", "origin", ...}`` — what
  ``native-align train-worker`` reads, and LLaMA-Factory's ``sharegpt`` format with OpenAI-style tags.
- ``alpaca/{train,validation}.jsonl``: ``{"system", "instruction", "input", "output"}``. The instruction is the
  *whole* user message (rules + the document), and ``input`` is empty: LLaMA-Factory joins instruction and input
  into the user turn, so this way the worker sees exactly the prompt the rewrite stage will send it.
- ``eval/heldout.jsonl``: the noise pairs of held-out documents with what was injected (``native-align eval
  worker`` reads it; it is never trained on).
- ``prompt.yaml`` (the template's text: ``train-worker`` saves it with the weights), ``dataset_info.json``
  (registers both formats for LLaMA-Factory), ``manifest.json`` (counts per origin, versions, the split rule).

The train/validation split is a pure function of ``doc_id`` (``pmod(xxhash64(doc_id), 10000) < fraction*10000``),
so adding pairs later never moves an existing pair across the split, and the chunks of one document stay together.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any, Iterable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from native_align import storage
from native_align.options import add_common_options, common_args

log = logging.getLogger(__name__)

SPLIT_BUCKETS = 10000


def with_split(df: DataFrame, val_fraction: float) -> DataFrame:
    """Adds ``split`` (train | validation), decided by a hash of doc_id only."""
    bucket = F.pmod(F.xxhash64(F.lit("split"), F.col("doc_id")), F.lit(SPLIT_BUCKETS))
    return df.withColumn("split", F.when(bucket < F.lit(int(round(val_fraction * SPLIT_BUCKETS))), "validation")
                         .otherwise("train"))


def select_pairs(pairs: DataFrame, model: str | None, prompt_version: str | None,
                 statuses: Iterable[str] = ("ok",)) -> DataFrame:
    """Usable pairs: wanted statuses, non-empty rewrite, optionally one expert model / prompt version."""
    out = pairs.where(F.col("status").isin(list(statuses)) & F.col("rewrite").isNotNull()
                      & (F.length(F.trim("rewrite")) > 0))
    if model:
        out = out.where(F.col("model") == model)
    if prompt_version:
        out = out.where(F.col("prompt_version") == prompt_version)
    return out


def conversation(prompt, original: str, rewrite: str, few_shot: bool = False) -> list[dict]:
    """The chat the worker is trained on: the template's messages for the original, then the rewrite."""
    return prompt.messages(original, few_shot=few_shot) + [{"role": "assistant", "content": rewrite.strip()}]


def chat_record(prompt, row: dict, few_shot: bool = False) -> dict[str, Any]:
    return {"messages": conversation(prompt, row["original"], row["rewrite"], few_shot), "doc_id": row["doc_id"],
            "pair_id": row.get("pair_id") or row["doc_id"], "origin": row.get("origin") or "expert",
            "prompt_version": row["prompt_version"], "model": row["model"]}


def heldout_record(prompt, row: dict, few_shot: bool = False) -> dict[str, Any]:
    """An evaluation pair: the prompt the worker will get, the clean target and what the noise model injected."""
    return {"pair_id": row["pair_id"], "doc_id": row["doc_id"], "templates": row["templates"],
            "families": list(row["families"] or []), "injections": json.loads(row["injections"] or "[]"),
            "source": row["original"], "target": row["rewrite"],
            "messages": prompt.messages(row["original"], few_shot=few_shot)}


PAIR_COLUMNS = ("doc_id", "pair_id", "origin", "original", "rewrite", "prompt_version", "model")


def training_rows(expert: DataFrame | None, noise: DataFrame | None) -> DataFrame:
    """The union of usable expert pairs and the noise pairs of training documents, in PAIR_COLUMNS."""
    parts = []
    if expert is not None:
        parts.append(expert.select("doc_id", F.col("doc_id").alias("pair_id"), F.lit("expert").alias("origin"),
                                   "original", "rewrite", "prompt_version", "model"))
    if noise is not None:
        parts.append(noise.where(F.col("split") == "train").select(*PAIR_COLUMNS))
    if not parts:
        raise ValueError("export-pairs: no pair source (train.origins names neither expert nor noise)")
    out = parts[0]
    for part in parts[1:]:
        out = out.unionByName(part)
    return out


def alpaca_record(prompt, row: dict) -> dict[str, Any]:
    return {"system": prompt.system.strip(), "instruction": prompt.user_message(row["original"]), "input": "",
            "output": row["rewrite"].strip(), "doc_id": row["doc_id"]}


def _write_jsonl(path: str, records: list[dict]) -> None:
    """One JSONL file at a path or URI (``native_align.storage``: pairs may go straight to a Volume or a bucket)."""
    storage.write_text(path, "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records))


DATASET_INFO = {
    "native_align_chat_train": {
        "file_name": "chat/train.jsonl", "formatting": "sharegpt",
        "columns": {"messages": "messages"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
                 "system_tag": "system"},
    },
    "native_align_alpaca_train": {
        "file_name": "alpaca/train.jsonl",
        "columns": {"prompt": "instruction", "query": "input", "response": "output", "system": "system"},
    },
}


def export_pairs(pairs: DataFrame | None, prompt, out_dir: str | Path, *, model: str | None = None,
                 prompt_version: str | None = None, statuses: Iterable[str] = ("ok",), val_fraction: float = 0.1,
                 formats: Iterable[str] = ("chat", "alpaca"), few_shot: bool = False,
                 noise: DataFrame | None = None) -> dict[str, int]:
    """Write the training files; returns counts per split and origin. ``pairs`` are expert pairs (`seed_pairs`,
    filtered by model / prompt version / status), ``noise`` the `noise_pairs` table. Pairs are few (a seed, a few
    thousand chunks), so the driver writes them."""
    out = str(out_dir)
    expert = select_pairs(pairs, model, prompt_version, statuses) if pairs is not None else None
    chosen = with_split(training_rows(expert, noise), val_fraction)
    rows = [r.asDict() for r in chosen.orderBy("doc_id", "pair_id").collect()]
    splits = {"train": [r for r in rows if r["split"] == "train"],
              "validation": [r for r in rows if r["split"] == "validation"]}
    formats = list(formats)
    for split, part in splits.items():
        if "chat" in formats:
            _write_jsonl(storage.join(out, "chat", f"{split}.jsonl"), [chat_record(prompt, r, few_shot) for r in part])
        if "alpaca" in formats:
            _write_jsonl(storage.join(out, "alpaca", f"{split}.jsonl"), [alpaca_record(prompt, r) for r in part])
    heldout = []
    if noise is not None:
        heldout = [heldout_record(prompt, r.asDict(), few_shot)
                   for r in noise.where(F.col("split") == "heldout").orderBy("pair_id").collect()]
        _write_jsonl(storage.join(out, "eval", "heldout.jsonl"), heldout)
    info = {k: v for k, v in DATASET_INFO.items() if k.split("_")[2] in formats}
    for key in list(info):
        val = dict(info[key], file_name=info[key]["file_name"].replace("train", "validation"))
        info[key.replace("train", "validation")] = val
    storage.write_text(storage.join(out, "dataset_info.json"), json.dumps(info, indent=2))
    storage.write_text(storage.join(out, "prompt.yaml"), prompt.text)
    counts = {"pairs": len(rows), "train": len(splits["train"]), "validation": len(splits["validation"]),
              "expert": sum(r["origin"] == "expert" for r in rows), "noise": sum(r["origin"] == "noise" for r in rows),
              "heldout": len(heldout)}
    manifest = {**counts, "model": model, "expert_prompt_version": prompt_version, "prompt_version": prompt.version,
                "prompt": prompt.name, "statuses": list(statuses), "val_fraction": val_fraction, "few_shot": few_shot,
                "split_rule": f"pmod(xxhash64('split', doc_id), {SPLIT_BUCKETS}) < val_fraction*{SPLIT_BUCKETS}",
                "formats": formats}
    storage.write_text(storage.join(out, "manifest.json"), json.dumps(manifest, indent=2, ensure_ascii=False))
    log.info("export-pairs: %d pairs (%d expert, %d noise) -> %s (train %d, validation %d; %d held out for eval)",
             counts["pairs"], counts["expert"], counts["noise"], out, counts["train"], counts["validation"],
             counts["heldout"])
    return counts


def run(ctx, out_dir: str | None = None, *, model: str | None = None, prompt_version: str | None = None,
        all_versions: bool = False, formats: Iterable[str] = ("chat", "alpaca")) -> dict[str, int]:
    """From the context's settings: ``train.origins`` — expert pairs of expert.model under the current expert.prompt
    version (by default) and the `noise_pairs` table — as conversations with the ``train.prompt`` instruction."""
    from native_align.alignment.prompts import load_prompt

    expert, train = ctx.settings.expert, ctx.settings.train
    t = ctx.tables
    version = None if all_versions else (prompt_version or load_prompt(expert.prompt).version)
    pairs = t.read("seed_pairs") if "expert" in train.origins and t.exists("seed_pairs") else None
    noise = t.read("noise_pairs") if "noise" in train.origins and t.exists("noise_pairs") else None
    if pairs is None and noise is None:
        raise FileNotFoundError(f"export-pairs: no pairs for train.origins={train.origins}: run `native-align "
                                f"annotate` (expert pairs, `seed_pairs`) or `native-align pairs` (`noise_pairs`)")
    return export_pairs(pairs, load_prompt(train.prompt), out_dir or train.pairs_dir, model=model or expert.model_id,
                        prompt_version=version, statuses=train.statuses, val_fraction=train.val_fraction,
                        formats=formats, few_shot=train.few_shot, noise=noise)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="native-align export-pairs", description=__doc__.split("\n")[0])
    p.add_argument("--out", default=None, help="output folder (default: train.pairs_dir)")
    p.add_argument("--model", default=None, help="expert model whose pairs to export (default: expert.model)")
    p.add_argument("--prompt-version", default=None, help="default: the current version of expert.prompt")
    p.add_argument("--all-versions", action="store_true", help="export pairs of every prompt version")
    p.add_argument("--formats", default="chat,alpaca", help="comma-separated: chat, alpaca")
    add_common_options(p)
    ns = p.parse_args(argv)
    ctx = common_args(ns).context()
    counts = run(ctx, ns.out, model=ns.model, prompt_version=ns.prompt_version, all_versions=ns.all_versions,
                 formats=[f.strip() for f in ns.formats.split(",") if f.strip()])
    print(json.dumps(counts))
    return 0 if counts["pairs"] else 1
