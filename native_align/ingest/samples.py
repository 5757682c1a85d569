"""The sample corpora shipped in the package, as settings layered over the profile (``native-align run --sample``).

``news`` is what ``conf/local.yaml`` already ingests (``native_align/data/sample``). ``web`` ingests the packaged
WARC + WET pair (``native_align/data/web_sample``, written by ``scripts/make_web_sample.py``) with its example URL
blocklist, and keeps its tables, report and export under ``work/web/`` so it never mixes with a news run's tables.
They are ``--set`` overrides placed before the user's own, so ``--set`` still wins.
"""

from __future__ import annotations

NEWS_SOURCE = ("{name: sample, path: 'package://sample', format: auto, text_field: text, id_field: id, "
               "url_field: url, title_field: title, date_field: date}")
WEB_SOURCE = "{name: web_sample, path: 'package://web_sample/sample-*.gz', format: auto}"
WEB_ROOT = "work/web"

SAMPLES: dict[str, tuple[str, ...]] = {
    "news": (f"ingest.sources=[{NEWS_SOURCE}]",),
    "web": (
        f"ingest.sources=[{WEB_SOURCE}]",
        "ingest.web.url_filter.blocklist_file=package://web_sample/url_blocklist.txt",
        f"tables.root={WEB_ROOT}/tables",
        f"tables.staging_root={WEB_ROOT}/staging",
        f"tables.checkpoint_dir={WEB_ROOT}/checkpoints",
        f"report.output_dir={WEB_ROOT}/report",
        f"export.output_dir={WEB_ROOT}/export",
    ),
}


def sample_overrides(name: str) -> list[str]:
    """The ``--set`` overrides of one sample; a KeyError names the known samples."""
    if name not in SAMPLES:
        raise KeyError(f"unknown sample '{name}'; samples: {', '.join(sorted(SAMPLES))}")
    return list(SAMPLES[name])
