"""Settings of the report and the export."""

from __future__ import annotations

from native_align.config import Section


class ReportConfig(Section):
    output_dir: str = "work/report"


class ExportConfig(Section):
    output_dir: str = "work/export"
