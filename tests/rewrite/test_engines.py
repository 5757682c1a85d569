"""Engines on real backends: the tiny LM through transformers, the shared chat client against a local server."""

from __future__ import annotations

import pytest

from native_align.rewrite.config import RewriteConfig
from native_align.rewrite.engines import EngineUnavailable, make_engine, model_id
from native_align.rewrite.engines.openai_engine import OpenAIEngine
from native_align.alignment.prompts import load_prompt
from tests.rewrite.conftest import AR_PARAS
from tests.support.openai_server import OpenAIServer, clean_rewrite

KEY_ENV = "NA_TEST_REWRITE_KEY"
KEY = "sk-rewrite-test-0123456789"


@pytest.fixture(scope="module")
def tiny_engine(tiny_lm):
    from native_align.rewrite.engines.transformers_engine import GenerationOptions, TransformersEngine

    return TransformersEngine.load(tiny_lm, device="cpu", options=GenerationOptions(
        batch_size=2, max_new_tokens_cap=6, min_new_tokens_cap=2, do_sample=True, context_length=1024))


def test_transformers_batches_sorted_but_results_in_input_order(tiny_engine):
    prompt = load_prompt()
    texts = [AR_PARAS[0], "\n".join(AR_PARAS), AR_PARAS[1][:20], "\n".join(AR_PARAS[:3]), AR_PARAS[4]]
    prompts = [prompt.messages(t, few_shot=False) for t in texts]
    caps = [6, 3, 6, 2, 5]
    gens = tiny_engine.generate(prompts, caps)
    assert len(gens) == len(prompts)
    for p, g, cap in zip(prompts, gens, caps):
        assert g.error is None
        assert g.prompt_tokens == len(tiny_engine.render(p))  # each result belongs to its own prompt
        assert 0 < g.completion_tokens <= cap
        assert g.finish_reason in ("stop", "length")
    assert tiny_engine.prompt_format == "chat"


def test_one_oversized_prompt_fails_alone(tiny_engine):
    prompt = load_prompt()
    huge = " ".join(AR_PARAS * 60)
    gens = tiny_engine.generate([prompt.messages(AR_PARAS[0], few_shot=False), prompt.messages(huge)])
    assert gens[0].error is None and gens[0].completion_tokens > 0
    assert gens[1].error and "exceeds the context" in gens[1].error


def test_budget_is_relative_to_input_and_capped(tiny_engine):
    from native_align.rewrite.engines.base import budget

    assert budget(1, 1.3, 0, 2, 6) == 2  # floor
    assert budget(100, 1.3, 32, 16, 1024) == 162  # ratio × input + slack
    assert budget(10_000, 1.3, 32, 16, 1024) == 1024  # cap
    assert tiny_engine.max_new_tokens_for(10_000) == 6


def test_base_model_gets_completion_prompt(tmp_path):
    from native_align.rewrite.engines.transformers_engine import GenerationOptions, TransformersEngine
    from tests.support.tiny_lm import build_tiny_lm

    base = build_tiny_lm(tmp_path / "base", chat_template=False)
    engine = TransformersEngine.load(base, device="cpu", options=GenerationOptions(max_new_tokens_cap=4))
    assert engine.prompt_format == "completion"
    gens = engine.generate([load_prompt().completion_prompt(AR_PARAS[0])], stop=load_prompt().stop)
    assert gens[0].error is None and gens[0].prompt_tokens > 0


def test_make_engine_from_config(tiny_lm):
    cfg = RewriteConfig.model_validate({"transformers": {"model": tiny_lm, "device": "cpu",
                                                         "prompt_format": "completion"}})
    engine = make_engine(cfg)
    assert engine.prompt_format == "completion" and engine.model_id == model_id(cfg) == tiny_lm.rstrip("/")
    with pytest.raises(EngineUnavailable):
        make_engine(RewriteConfig(engine="nope"))


def _msgs(text: str) -> list[dict]:
    return load_prompt().messages(text, few_shot=False)


def test_openai_engine_retries_and_reports_failures(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    texts = [f"{AR_PARAS[i % 5]}\nاتصل الآن على 0551234567 للعروض\nوثيقة {i}" for i in range(12)]
    texts.append("POISON " + AR_PARAS[0])
    with OpenAIServer(fail_rate=0.5, seed=1, slow_s=0.6, always_fail=["POISON"]) as server:
        cfg = RewriteConfig.model_validate({"engine": "openai", "openai": {
            "base_url": server.base_url, "model": "rewriter-x", "api_key_env": KEY_ENV, "timeout_s": 0.3,
            "max_attempts": 6, "backoff_base_s": 0.01, "backoff_max_s": 0.05, "max_concurrency": 4}})
        engine = make_engine(cfg)
        assert isinstance(engine, OpenAIEngine) and engine.model_id == "rewriter-x"
        gens = engine.generate([_msgs(t) for t in texts])
        outcomes = {r.outcome for r in server.records}
        auth = set(server.authorizations())
    assert {"429", "500", "timeout", "malformed"} <= outcomes  # every failure kind was really served
    assert auth == {f"Bearer {KEY}"}
    assert len(gens) == len(texts)
    for t, g in zip(texts[:-1], gens[:-1]):
        assert g.error is None, g.error
        assert g.text == clean_rewrite(_msgs(t))  # the reply of *this* request (ad line removed)
        assert g.prompt_tokens > 0 and g.completion_tokens > 0
    assert gens[-1].error and "500" in gens[-1].error and gens[-1].finish_reason == "error"
    assert all(KEY not in (g.error or "") + g.text for g in gens)


def test_openai_token_estimate_and_format():
    engine = OpenAIEngine.__new__(OpenAIEngine)
    engine.chars_per_token, engine.max_tokens, engine._context_length = 3.0, 100, 4096
    assert engine.count_tokens(["abcdef", "a"]) == [2, 1]
    assert engine.prompt_format == "chat" and engine.max_new_tokens_for(1000) == 100


def test_vllm_configuration_is_built_without_vllm(tiny_lm):
    from native_align.rewrite.engines import vllm_engine as v

    cfg = RewriteConfig.model_validate({"engine": "vllm", "vllm": {
        "model": tiny_lm, "tensor_parallel_size": 2, "max_model_len": 4096, "batch_size": 32}}).vllm
    kwargs = v.engine_kwargs(cfg)
    assert kwargs["model"] == tiny_lm and kwargs["tensor_parallel_size"] == 2 and kwargs["max_model_len"] == 4096
    assert v.sampling_params(cfg, 77) == {"temperature": 0.2, "top_p": 0.9, "max_tokens": 77}
    proc = v.ray_processor_config(cfg)
    assert proc.model_source == tiny_lm and proc.batch_size == 32
    assert proc.engine_kwargs["tensor_parallel_size"] == 2 and "model" not in proc.engine_kwargs
    with pytest.raises(EngineUnavailable):  # vllm cannot be installed here
        make_engine(RewriteConfig.model_validate({"engine": "vllm", "vllm": {"model": tiny_lm}}))
