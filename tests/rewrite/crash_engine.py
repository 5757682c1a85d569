"""Fault injection for the actor-kill test: a real engine whose process dies once on a chosen document.

Wraps the engine of an inner RewriteConfig (the test uses the OpenAI engine against the local test server, so the
actor needs no torch). The first time a prompt containing ``crash_on`` reaches ``generate`` while the ``marker``
file does not exist, it writes the marker (its pid) and calls ``os._exit(1)``: the Ray actor process is gone
mid-batch, exactly like an OOM kill or a segfault. Ray must restart the actor and retry the batch; the marker
makes the retry succeed.
"""

from __future__ import annotations

import os
from pathlib import Path


class CrashOnceEngine:
    name = "crash-once"

    def __init__(self, inner: dict, marker: str, crash_on: str, model_id: str = "crash-once"):
        from native_align.rewrite.config import RewriteConfig
        from native_align.rewrite.engines import make_engine

        self.inner = make_engine(RewriteConfig.model_validate(inner))
        self.model_id = model_id
        self.marker = Path(marker)
        self.crash_on = crash_on

    @property
    def prompt_format(self):
        return self.inner.prompt_format

    @property
    def context_length(self):
        return self.inner.context_length

    def count_tokens(self, texts):
        return self.inner.count_tokens(texts)

    def max_new_tokens_for(self, n):
        return self.inner.max_new_tokens_for(n)

    def generate(self, prompts, max_new_tokens=None, stop=()):
        if not self.marker.exists() and any(self.crash_on in str(p) for p in prompts):
            self.marker.write_text(str(os.getpid()))
            os._exit(1)
        return self.inner.generate(prompts, max_new_tokens, stop)
