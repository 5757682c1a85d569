"""export-pairs: only usable pairs, deterministic hash split, chat + alpaca files LLaMA-Factory can read."""

from __future__ import annotations

import json

from native_align.alignment.prompts import load_prompt
from native_align.annotate.schema import SEED_PAIRS_SCHEMA
from native_align.train.export_pairs import export_pairs, with_split


def _row(i, status, version, model="expert"):
    rewrite = f"نص محسن رقم {i}." if status in ("ok", "rejected") else None
    return (f"doc-{i:03d}", f"h{i}", model, version, f"نص أصلي رقم {i}. اتصل 0555123456", rewrite, status,
            [] if status == "ok" else ["x"], 10, 5, 0.001, 1, "stop", None, "r")


def test_export_formats_and_split(spark, tmp_path):
    prompt = load_prompt()
    v = prompt.version
    rows = [_row(i, "ok", v) for i in range(40)] + [_row(40, "rejected", v), _row(41, "failed", v),
                                                    _row(42, "ok", "other-version"), _row(43, "ok", v, "m2")]
    pairs = spark.createDataFrame(rows, SEED_PAIRS_SCHEMA)
    counts = export_pairs(pairs, prompt, tmp_path, model="expert", prompt_version=v, val_fraction=0.25)
    assert counts["pairs"] == 40 and counts["train"] + counts["validation"] == 40
    assert 3 <= counts["validation"] <= 20

    chat = [json.loads(x) for x in (tmp_path / "chat" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    alpaca = [json.loads(x) for x in (tmp_path / "alpaca" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(chat) == len(alpaca) == counts["train"]
    first = chat[0]
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    assert first["messages"][:2] == prompt.messages(f"نص أصلي رقم {int(first['doc_id'][4:])}. اتصل 0555123456",
                                                    few_shot=False)
    assert first["messages"][2]["content"].startswith("نص محسن")
    a = alpaca[0]
    assert a["instruction"] == first["messages"][1]["content"] and a["input"] == ""
    assert a["system"] == first["messages"][0]["content"] and a["output"] == first["messages"][2]["content"]
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert info["native_align_chat_validation"]["file_name"] == "chat/validation.jsonl"
    assert info["native_align_alpaca_train"]["columns"]["prompt"] == "instruction"

    # the split of a doc depends on its doc_id only: the same with fewer rows around it
    split_all = {r["doc_id"]: r["split"] for r in with_split(pairs, 0.25).collect()}
    split_few = {r["doc_id"]: r["split"] for r in with_split(pairs.limit(7), 0.25).collect()}
    assert all(split_all[k] == s for k, s in split_few.items())
    val_ids = {json.loads(x)["doc_id"] for x in (tmp_path / "chat" / "validation.jsonl").read_text().splitlines()}
    assert val_ids == {k for k, s in split_all.items() if s == "validation" and k < "doc-040"}


def test_noise_pairs_train_and_heldout_files(ctx, tmp_path):
    from native_align.pairs import stage
    from tests.support.corpus import make_docs, write_curated

    write_curated(ctx, make_docs(30, seed=4))
    ctx.settings.pairs.heldout_fraction, ctx.settings.pairs.chunk.min_tokens = 0.3, 20
    stage.run(ctx)
    noise = ctx.tables.read("noise_pairs")
    prompt = load_prompt("worker_v1")
    counts = export_pairs(None, prompt, tmp_path, noise=noise, val_fraction=0.2)
    n_train = noise.where("split = 'train'").count()
    assert counts["noise"] == counts["pairs"] == n_train and counts["expert"] == 0
    assert counts["heldout"] == noise.where("split = 'heldout'").count() > 0
    chat = [json.loads(x) for x in (tmp_path / "chat" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(r["origin"] == "noise" and "#" in r["pair_id"] for r in chat)
    assert chat[0]["messages"][0]["content"] == prompt.system.strip()
    held = [json.loads(x) for x in (tmp_path / "eval" / "heldout.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["templates"] for r in held} <= {"clean", "train", "heldout"}
    assert all(i["text"] in r["source"] for r in held for i in r["injections"])
    train_docs = {r["doc_id"] for r in chat}
    assert not train_docs & {r["doc_id"] for r in held}  # evaluation documents are never trained on
    assert (tmp_path / "prompt.yaml").read_text(encoding="utf-8") == prompt.text
    assert json.loads((tmp_path / "manifest.json").read_text())["prompt_version"] == prompt.version
