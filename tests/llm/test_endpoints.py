"""Endpoint variants against the real local server: OpenAI-style and Azure-style requests arrive exactly as meant;
keys only from the environment; error excerpts readable and redacted; the stored model name is ours."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from native_align.llm.client import ChatClient, error_excerpt, fold_system
from native_align.llm.config import ChatEndpointConfig, clean_model_id
from tests.support.openai_server import OpenAIServer

KEY_ENV = "NA_TEST_ENDPOINT_KEY"
KEY = "azk-ENDPOINT-5ecr3t-77aa99"


def _msgs(text: str) -> list[dict]:
    return [{"role": "system", "content": "polish"}, {"role": "user", "content": f"<text>\n{text}\n</text>"}]


def test_azure_style_request_reaches_the_server_exactly(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer() as server:
        cfg = ChatEndpointConfig(base_url=server.root_url, model="gpt-4o", url_style="azure",
                                 deployment="polish-gpt4o", api_version="2024-10-21", api_key_env=KEY_ENV,
                                 extra_headers={"x-ms-client-request-id": "run-1"}, query_params={"trace": "1"})
        client = ChatClient.from_config(cfg)
        res = client.complete(_msgs("نص للتجربة"))
        [rec] = server.records
    assert res.ok and res.text == "نص للتجربة"
    assert rec.path == "/openai/deployments/polish-gpt4o/chat/completions"
    assert rec.query == {"api-version": "2024-10-21", "trace": "1"}
    headers = {k.lower(): v for k, v in rec.headers.items()}
    assert headers["api-key"] == KEY and "authorization" not in headers
    assert headers["x-ms-client-request-id"] == "run-1"
    assert KEY not in repr(client) and KEY not in cfg.model_dump_json()


def test_openai_style_defaults_and_custom_auth_header(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with OpenAIServer() as server:
        ChatClient(server.base_url, "m", api_key_env=KEY_ENV).complete(_msgs("أ"))
        ChatClient(server.base_url, "m", api_key_env=KEY_ENV, auth_header="X-Api-Key").complete(_msgs("ب"))
        ChatClient(server.base_url, "m", api_key_env=KEY_ENV, auth_scheme="Token").complete(_msgs("ت"))
        first, second, third = server.records
    assert first.path == "/v1/chat/completions" and first.query == {}
    assert first.authorization == f"Bearer {KEY}"
    assert second.authorization is None and second.headers["X-Api-Key"] == KEY
    assert third.authorization == f"Token {KEY}"


def test_config_refuses_credentials_and_incomplete_azure():
    with pytest.raises(ValidationError, match="api_key_env"):
        ChatEndpointConfig(base_url="http://h/v1", extra_headers={"Authorization": "Bearer sk-in-config"})
    with pytest.raises(ValidationError, match="api_version"):
        ChatEndpointConfig(base_url="https://r.openai.azure.com", url_style="azure")
    ok = ChatEndpointConfig(base_url="https://r.openai.azure.com", url_style="azure",
                            query_params={"api-version": "2024-10-21"})
    assert ChatClient.from_config(ok).url == "https://r.openai.azure.com/openai/deployments/gpt-4o/chat/completions"


def test_error_excerpt_is_long_collapsed_and_redacted(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    detail = "the model  failed\n\n\t while loading " + "x" * 400 + f" key={KEY} end"
    with OpenAIServer(always_fail=["POISON"], error_detail=detail) as server:
        res = ChatClient(server.base_url, "m", api_key_env=KEY_ENV, max_attempts=1).complete(_msgs("POISON"))
    assert not res.ok and KEY not in res.error
    assert "HTTP 500: internal error: the model failed while loading xxx" in res.error
    assert res.error.endswith("key=*** end")  # longer than the old 200-character cut, whitespace collapsed
    cut = error_excerpt(("word " * 400).encode(), lambda t: t, limit=100)
    assert len(cut) == 100 and cut.endswith("…")


def test_fold_puts_the_system_text_into_the_first_user_turn(monkeypatch, caplog):
    caplog.set_level(logging.WARNING)
    system = "قواعد الصياغة: " + "احذف الإعلانات وأرقام الهواتف وحافظ على المعنى والأرقام. " * 6
    msgs = [{"role": "system", "content": system}, {"role": "user", "content": "<text>\nنص\n</text>"},
            {"role": "assistant", "content": "نص"}, {"role": "user", "content": "<text>\nنص آخر\n</text>"}]
    assert fold_system(msgs)[0] == {"role": "user", "content": system + "\n\n<text>\nنص\n</text>"}
    with OpenAIServer(drop_system=True) as server:
        plain = ChatClient(server.base_url, "m", api_key_env=None)
        plain.complete_many([msgs, msgs])
        warned = [r for r in caplog.records if "system_prompt: fold" in r.getMessage()]
        assert len(warned) == 1 and plain.system_turn_suspect == 2  # once per client, counted per reply
        caplog.clear()
        folded = ChatClient(server.base_url, "m", api_key_env=None, system_prompt="fold")
        assert folded.complete(msgs).ok
        sent = server.records[-1].body["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"].startswith(system) and folded.system_turn_suspect == 0
    assert not [r for r in caplog.records if "system_prompt: fold" in r.getMessage()]


def test_no_system_warning_when_the_server_counts_it():
    with OpenAIServer() as server:
        client = ChatClient(server.base_url, "m", api_key_env=None)
        long_system = [{"role": "system", "content": "قاعدة " * 100}, {"role": "user", "content": "نص"}]
        assert client.complete(long_system).ok and client.system_turn_suspect == 0


def test_stored_model_is_the_configured_name_not_the_server_path(caplog):
    caplog.set_level(logging.INFO)
    path = "/srv/models/gemma-3-270m-it-Q4_K_M.gguf"
    with OpenAIServer(reported_model=path) as server:
        client = ChatClient(server.base_url, "gemma-3-270m", api_key_env=None)
        res = client.complete(_msgs("نص"))
        cfg = ChatEndpointConfig(base_url=server.base_url, model=path)
        by_path = ChatClient.from_config(cfg)
        aliased = ChatClient.from_config(cfg.model_copy(update={"model_alias": "gemma-local"}))
    assert res.server_model == path and client.model_id == "gemma-3-270m"
    assert any(path in r.getMessage() and "tables store 'gemma-3-270m'" in r.getMessage() for r in caplog.records)
    assert by_path.model_id == cfg.model_id == "gemma-3-270m-it-Q4_K_M" and aliased.model_id == "gemma-local"
    assert clean_model_id("Qwen/Qwen2.5-7B-Instruct") == "Qwen/Qwen2.5-7B-Instruct"  # a hub id is a name
    assert clean_model_id("C:\\models\\x.gguf") == "x" and clean_model_id("./m.bin") == "m"
