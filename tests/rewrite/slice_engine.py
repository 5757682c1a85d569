"""A real engine for the slice test: rewrites by returning the document as the test server's clean rewrite, logs
every document it is given, and kills the run's driver when a document past ``kill_after`` arrives.

Slices are rewritten one after another (a slice's Ray job starts only after the previous slice is MERGEd), so the
first document beyond the first ``kill_after`` distinct ones belongs to the next slice: killing the driver there is a
job killed right after a slice committed. The driver gets SIGKILL (no clean-up, like a lost Databricks driver);
the actor exits with it.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from native_align.rewrite.engines.base import Generation
from tests.support.openai_server import clean_rewrite, document_from_prompt, last_user_content


class SliceKillEngine:
    name = "slice-kill"

    def __init__(self, seen_log: str, model_id: str = "slice-kill", kill_after: int | None = None,
                 driver_pid: int | None = None):
        self.model_id = model_id
        self.seen_log = Path(seen_log)
        self.kill_after = kill_after
        self.driver_pid = driver_pid

    @property
    def prompt_format(self):
        return "chat"

    @property
    def context_length(self):
        return 8192

    def count_tokens(self, texts):
        return [max(1, len(t) // 3) for t in texts]

    def max_new_tokens_for(self, n):
        return 2 * n + 16

    def _seen(self) -> list[str]:
        if not self.seen_log.exists():
            return []
        return [line for line in self.seen_log.read_text(encoding="utf-8").splitlines() if line]

    def generate(self, prompts, max_new_tokens=None, stop=()):
        docs = [document_from_prompt(last_user_content(p)) for p in prompts]
        keys = [d.splitlines()[0] for d in docs]  # the first line names the document (the test writes it so)
        seen = set(self._seen())
        if self.kill_after is not None and len(seen) >= self.kill_after and any(k not in seen for k in keys):
            os.kill(int(self.driver_pid), signal.SIGKILL)
            os._exit(1)
        with self.seen_log.open("a", encoding="utf-8") as fh:
            fh.write("".join(k + "\n" for k in keys))
        return [Generation(text=clean_rewrite(p), prompt_tokens=10, completion_tokens=10, finish_reason="stop")
                for p in prompts]
