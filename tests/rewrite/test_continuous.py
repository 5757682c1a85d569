"""The continuous generation mode on the tiny LM: the static mode's outputs under greedy decoding, stop strings,
per-prompt caps, bad prompts failing alone, no thread left behind; its settings from the config; the engine's
import chain free of pydantic / Spark / Ray (the GPU benchmark machine has none of them)."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from native_align.alignment.prompts import load_prompt
from native_align.rewrite.config import RewriteConfig
from tests.conftest import REPO
from tests.rewrite.conftest import AR_PARAS

TEXTS = AR_PARAS + ["\n".join(AR_PARAS), AR_PARAS[1][:20], "\n".join(AR_PARAS[:3])]
CAPS = [6, 20, 12, 1, 9, 25, 4, 15]
COMMON = dict(max_new_tokens_cap=32, min_new_tokens_cap=2, repetition_penalty=1.0, context_length=1024)
# 3 slots for 8 prompts (finished ones are refilled), prompts longer than a forward pass (chunked prefill), small
# blocks so the shared system prompt spans several (prefix caching).
CONTINUOUS = dict(generation_mode="continuous", cb_max_requests=3, cb_max_batch_tokens=64, cb_block_size=16)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """One intra-op thread, as in a Ray actor: two OpenMP threads spin-wait for each other on a busy 2-core box and
    turn a millisecond step of the tiny LM into tens of milliseconds."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def lm(tiny_lm):
    """The tiny LM with weights redrawn wider: at the default init its greedy output repeats one token."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_lm)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(tiny_lm, attn_implementation="sdpa").eval()
    torch.manual_seed(3)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.3)
    return model, tok


def engine(lm, **options):
    from native_align.rewrite.engines.transformers_engine import GenerationOptions, TransformersEngine

    model, tok = lm
    return TransformersEngine(model, tok, options=GenerationOptions(**{**COMMON, **options}), model_id="tiny")


def both(lm, prompts, caps, stop=(), **options):
    """(static, continuous) generations of the same prompts; the continuous engine is closed afterwards."""
    static = engine(lm, generation_mode="static", batch_size=3, **options).generate(prompts, caps, stop)
    cont = engine(lm, **CONTINUOUS, **options)
    try:
        return static, cont.generate(prompts, caps, stop)
    finally:
        cont.close()


def greedy_tokens(lm, prompt, n: int) -> list[int]:
    """The first n tokens plain ``model.generate`` picks for one prompt."""
    import torch

    model, tok = lm
    ids = engine(lm).render(prompt)
    with torch.inference_mode():
        out = model.generate(torch.tensor([ids]), max_new_tokens=n, do_sample=False, pad_token_id=tok.pad_token_id)
    return out[0, len(ids):].tolist()


def chat(texts):
    return [load_prompt().messages(t, few_shot=False) for t in texts]


def test_continuous_matches_static_under_greedy_decoding(lm):
    model, _ = lm
    prompts = chat(TEXTS)
    # Make a token that prompt 1 generates mid-way an EOS, so some rows end by EOS and others at their cap.
    tokens = greedy_tokens(lm, prompts[1], 8)
    new_eos = next(t for k, t in enumerate(tokens) if k >= 3 and t not in tokens[:k])
    eos_before = model.generation_config.eos_token_id
    model.generation_config.eos_token_id = [eos_before, new_eos]
    try:
        static, cont = both(lm, prompts, CAPS)
    finally:
        model.generation_config.eos_token_id = eos_before
    assert cont == static  # text, prompt/completion tokens, finish reason, error: all of them, row by row
    assert all(g.error is None and g.completion_tokens >= 1 for g in cont)
    assert [g.completion_tokens for g in cont if g.finish_reason == "length"] == \
        [c for g, c in zip(cont, CAPS) if g.finish_reason == "length"]
    assert any(g.finish_reason == "stop" and g.completion_tokens < c for g, c in zip(cont, CAPS))  # ended by EOS
    assert any(g.finish_reason == "length" for g in cont)


@pytest.mark.parametrize("fmt", ["chat", "completion"])  # cut after generation / streamed and cancelled
def test_stop_strings_cut_where_the_static_mode_stops(lm, fmt):
    prompts = chat(TEXTS) if fmt == "chat" else [load_prompt().completion_prompt(t) for t in TEXTS]
    caps = [30] * len(prompts)
    probe = engine(lm, generation_mode="static", batch_size=8).generate(prompts, caps)
    text = probe[2].text
    stop = next(text[k:k + 3] for k in range(len(text) // 2, len(text) - 3) if text[k:k + 3].strip())
    static, cont = both(lm, prompts, caps, stop=(stop, "لن يظهر أبدا"), prompt_format=fmt)
    assert cont == static
    assert cont[2].finish_reason == "stop" and stop not in cont[2].text
    assert cont[2].completion_tokens < probe[2].completion_tokens
    assert text.startswith(cont[2].text)


def test_bad_prompts_fail_alone_in_both_modes(lm, monkeypatch):
    from native_align.rewrite.engines.transformers_engine import TransformersEngine

    model, _ = lm
    render = TransformersEngine.render

    def poisoned(self, prompt):  # an id outside the vocabulary: the forward pass of its whole batch raises
        ids = render(self, prompt)
        return ids + [model.config.vocab_size + 7] if prompt == "POISON" else ids

    monkeypatch.setattr(TransformersEngine, "render", poisoned)
    huge = " ".join(AR_PARAS * 40)
    prompts = [TEXTS[0], "POISON", TEXTS[1], huge, TEXTS[2], TEXTS[3]]
    static, cont = both(lm, prompts, [8] * len(prompts), prompt_format="completion")
    for gens in (static, cont):
        assert [g.error is None for g in gens] == [True, False, True, False, True, True]
        assert "exceeds the context" in gens[3].error and gens[1].finish_reason == "error"
    assert [g for k, g in enumerate(cont) if k not in (1, 3)] == [g for k, g in enumerate(static) if k not in (1, 3)]


def test_prompt_without_tokens_is_an_error_not_a_crash(lm):
    cont = engine(lm, **CONTINUOUS)
    try:
        gens = cont.generate(["", TEXTS[0]], [4, 4])
    finally:
        cont.close()
    assert gens[1].error is None and gens[1].completion_tokens > 0
    if not cont.render(""):  # this tokenizer adds no BOS to an empty text
        assert gens[0].error == "prompt has no tokens"


def test_sessions_leave_no_thread_and_reuse_the_manager(lm):
    cont = engine(lm, **CONTINUOUS)
    before = threading.active_count()
    try:
        first = cont.generate(chat(TEXTS[:4]), CAPS[:4])
        assert threading.active_count() == before  # the generation thread stops with each call
        manager = cont._continuous._owned
        again = cont.generate(chat(TEXTS[:4]), CAPS[:4])
        assert cont._continuous._owned is manager  # KV cache kept between calls, not rebuilt
    finally:
        cont.close()
    assert again == first and threading.active_count() == before


def test_sampling_respects_caps(lm):
    cont = engine(lm, **CONTINUOUS, do_sample=True, temperature=0.9, top_p=0.95)
    try:
        gens = cont.generate(chat(TEXTS), CAPS)
    finally:
        cont.close()
    assert all(g.error is None and 1 <= g.completion_tokens <= c for g, c in zip(gens, CAPS))


def test_mode_and_settings_come_from_the_config(tiny_lm):
    from pydantic import ValidationError

    from native_align.rewrite.engines import make_engine
    from native_align.rewrite.engines.transformers_engine import resolve_generation_mode

    base = {"model": tiny_lm, "device": "cpu"}
    assert make_engine(RewriteConfig.model_validate({"transformers": base})).generation_mode == "static"  # CPU
    cfg = RewriteConfig.model_validate({"transformers": {**base, "generation_mode": "continuous",
                                                         "cb_max_requests": 5, "cb_block_size": 32}})
    eng = make_engine(cfg)
    assert eng.generation_mode == "continuous"
    assert (eng.options.cb_max_requests, eng.options.cb_block_size, eng.options.cb_max_batch_tokens) == (5, 32, 2048)
    assert resolve_generation_mode("auto", "cuda:0") == "static"  # continuous is opt-in until measured on a GPU
    with pytest.raises(ValueError):
        resolve_generation_mode("paged", "cpu")
    with pytest.raises(ValidationError):
        RewriteConfig.model_validate({"transformers": {"generation_mode": "paged"}})


def test_engine_modules_import_without_pydantic_spark_or_ray():
    code = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name.split('.')[0] in ('pydantic', 'pyspark', 'ray', 'delta'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import native_align.rewrite.engines.transformers_engine, native_align.rewrite.engines.continuous\n"
        "import transformers.generation\n"
        "print('imported')\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0 and "imported" in out.stdout, out.stderr[-2000:]


def test_worker_rows_are_the_same_in_both_modes(tiny_lm):
    import pyarrow as pa

    from native_align.rewrite.worker import RewriteWorker

    docs = {"a": AR_PARAS[0], "long": "\n".join(f"{p} ({k})" for k, p in enumerate(AR_PARAS * 6)), "blank": "",
            "b": "\n".join(AR_PARAS[1:4])}
    rows = {}
    for mode in ("static", "continuous"):
        worker = RewriteWorker(RewriteConfig.model_validate({"chat_few_shot": False, "max_piece_tokens": 120,
                                                             "transformers": {
            "model": tiny_lm, "device": "cpu", "max_new_tokens_cap": 8, "min_new_tokens_cap": 2,
            "repetition_penalty": 1.0, "context_length": 1024, "generation_mode": mode, "batch_size": 2,
            "cb_max_requests": 2, "cb_max_batch_tokens": 64, "cb_block_size": 16}}))
        assert worker.engine.generation_mode == mode
        rows[mode] = worker(pa.table({"doc_id": list(docs), "text": list(docs.values())})).to_pylist()
        worker.engine.close()
    assert rows["continuous"] == rows["static"]
    by_id = {r["doc_id"]: r for r in rows["continuous"]}
    assert by_id["long"]["pieces"] > 1 and by_id["blank"]["reasons"] == ["empty_input"]
    assert all(by_id[d]["status"] in ("ok", "rejected") and by_id[d]["completion_tokens"] > 0 for d in ("a", "b"))
