"""Settings of the rewrite stage."""

from __future__ import annotations

from native_align.config import Section


class RewriteConfig(Section):
    enabled: bool = True
