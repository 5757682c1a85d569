"""The client against a real OpenAI-compatible server: llama-cpp-python's, one request at a time, serving the
shipped Gemma 3 270M GGUF. Slow: a model loads and generates on CPU.

What the user's trial hit: concurrency 8 against one slot; the queued requests timed out on every attempt while
the server went on generating answers nobody read. Here the client starts with concurrency 8 allowed; adaptive
concurrency must keep the server's queue empty, so no attempt is lost to waiting.

Needs ``pip install 'llama-cpp-python[server]'`` (compiles llama.cpp) and the Gemma packages (extra ``gemma``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from native_align.lm.reference import reference_installed

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed")
if not reference_installed():
    pytest.skip("Gemma 3 270M GGUF packages not installed (extra gemma)", allow_module_level=True)

from native_align.alignment.prompts import load_prompt  # noqa: E402
from native_align.lm.reference import gemma_gguf_path  # noqa: E402
from native_align.llm.client import ChatClient  # noqa: E402

KEY_ENV = "NA_TEST_LLAMA_KEY"
KEY = "sk-llama-SLOW-5ecr3t-4242"
DOCS = ["أعلنت وزارة الصحة اليوم عن افتتاح ثلاثة مستشفيات جديدة في منطقة الرياض.",
        "ارتفع مؤشر سوق الأسهم بنسبة اثنين في المئة خلال تعاملات الأسبوع الماضي.",
        "توقعت هيئة الأرصاد هطول أمطار غزيرة على المناطق الجنوبية حتى نهاية الأسبوع.",
        "شهد مهرجان الكتاب السنوي في جدة حضور آلاف الزوار من مختلف المدن.",
        "تعمل الحكومة على تطوير شبكات المياه والكهرباء في القرى البعيدة.",
        "فاز فريق النادي في المباراة النهائية للدوري بعد أداء قوي من اللاعبين."]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, proc: subprocess.Popen, seconds: float = 600.0) -> None:
    """Poll /v1/models (bounded) until the model is loaded; fail with the server's exit code if it died."""
    request = urllib.request.Request(f"{base}/models", headers={"Authorization": f"Bearer {KEY}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:
                json.loads(resp.read())
                return
        except OSError:
            time.sleep(1.0)
    pytest.fail("llama_cpp.server did not become ready")


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gemma_gguf_path()), "--host", "127.0.0.1",
           "--port", str(port), "--n_ctx", "2048", "--n_threads", "2", "--api_key", KEY, "--verbose", "false"]
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}/v1"
        try:
            _wait_ready(base, proc)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_one_slot_llama_server_every_doc_ends_and_no_attempt_waits_in_its_queue(llama_server, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    prompt = load_prompt()
    requests = [prompt.messages(d, few_shot=False) for d in DOCS]
    common = dict(api_key_env=KEY_ENV, max_tokens=48, temperature=0.0, backoff_base_s=0.5, backoff_max_s=2.0)
    warm = ChatClient(llama_server, "gemma-3-270m", max_concurrency=1, timeout_s=600, **common)
    t0 = time.monotonic()
    first = warm.complete(requests[0])
    solo_s = time.monotonic() - t0
    assert first.ok, first.error
    # A timeout three times one reply: fine alone, too short for a queue of eight on one slot.
    client = ChatClient(llama_server, "gemma-3-270m", max_concurrency=8, timeout_s=max(10.0, 3 * solo_s),
                        max_attempts=3, **common)
    results = client.complete_many(requests)
    print(f"solo reply {solo_s:.1f}s; {client.stats()}; server reports model {first.server_model!r}")
    assert all(r.ok or r.error for r in results)
    assert sum(r.ok for r in results) == len(DOCS), [r.error for r in results]
    assert [r.attempts for r in results] == [1] * len(DOCS)  # no attempt lost to the server's queue
    assert client.concurrency.peak_in_flight <= 2 and client.concurrency.current == 1
    assert all(r.prompt_tokens > 0 and not r.usage_estimated for r in results)
    assert client.model_id == "gemma-3-270m" and "/" not in client.model_id
    assert KEY not in repr(client)
