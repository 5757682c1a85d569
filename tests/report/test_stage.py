"""The report stage over the crafted tables: every section, real tiny-LM perplexity, the judge on the local
OpenAI-compatible server, and the HTML checked in headless Chromium."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from native_align.report.stage import HTML_NAME, MARKDOWN_NAME, write_report
from tests.report.browser import chromium_binary, console_errors, probe_images, screenshot
from tests.support.openai_server import OpenAIServer, document_from_prompt, last_user_content


def _judge(messages) -> str:
    text = document_from_prompt(last_user_content(messages))
    n = len(text.split())  # deterministic, text-dependent scores
    return json.dumps({"format": 5 + n % 5, "accuracy": 7, "moderation": 9, "advertisement": 8, "detail": 6})


WORKER_EVAL = {
    "pairs_file": "pairs/eval/heldout.jsonl", "pairs": 2, "goals": {"accepted": 0.8},
    "models": [{"name": name, "model": model, "tokens_per_second": tps,
                "overall": {"accepted": acc, "removed.insults": 0.5, "chrf": chrf}}
               for name, model, tps, acc, chrf in (("base", "gemma", 20.0, 0.1, 14.0),
                                                   ("worker", "w@abc", 54.0, 0.9, 96.7))],
    "goals_missed": [],
    "examples": [{"pair_id": "d1#0", "templates": "heldout", "families": ["ads"], "source": "نص مع إعلان",
                  "target": "نص", "outputs": {"base": {"rewrite": "نص آخر"}, "worker": {"rewrite": "نص"}}}],
}


@pytest.fixture(scope="module")
def report(report_ctx, tiny_lm):
    s = report_ctx.settings
    worker_eval = Path(s.report.output_dir).parent / "worker_eval.json"
    worker_eval.parent.mkdir(parents=True, exist_ok=True)
    worker_eval.write_text(json.dumps(WORKER_EVAL, ensure_ascii=False), encoding="utf-8")
    s.report.worker_eval = str(worker_eval)
    with OpenAIServer(reply_fn=_judge) as server:
        s.report.perplexity.model = tiny_lm
        s.report.judge.base_url = server.base_url
        s.report.judge.api_key_env = "NA_TEST_JUDGE_KEY"
        try:
            counts = write_report(report_ctx)
        finally:
            s.report.judge.base_url = None
            s.report.perplexity.model = None
        requests = server.total_requests
    out = Path(s.report.output_dir)
    return counts, out, requests


def _sections(html: str) -> dict[str, str]:
    return dict(re.findall(r'<section id="([a-z]+)">\s*<h2>[^<]*<span class="status [a-z]+">([^<]+)</span>', html))


def test_every_section_ran(report):
    counts, out, requests = report
    html = (out / HTML_NAME).read_text(encoding="utf-8")
    status = _sections(html)
    assert set(status) == {"runs", "funnel", "rejects", "languages", "duplicates", "sources", "rewrite", "length",
                           "preservation", "pii", "toxicity", "perplexity", "judge", "worker"}
    assert all(v == "ok" for v in status.values()), status
    assert counts["sections_ok"] == 14 and counts["aligned_ok"] == 2
    assert "w@abc" in html and "96.7" in html  # the worker section shows the eval JSON's models
    assert requests == 4 and counts["judged"] == 4          # 2 ok pairs x (original, rewrite)
    assert counts["plots"] == html.count('<img class="plot"') >= 11
    assert "reconciliation passes" in html and "check: 12 = 4 kept + 3 rejected + 3 duplicates + 2 quarantined" in html


def test_html_is_self_contained(report):
    _, out, _ = report
    html = (out / HTML_NAME).read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', html)      # nothing fetched from the network
    assert "<script" not in html
    srcs = re.findall(r'<img class="plot" alt="[^"]*" src="([^"]+)"', html)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)


def test_every_plot_decodes_and_is_not_uniform(report):
    import base64

    from PIL import Image, ImageStat

    _, out, _ = report
    html = (out / HTML_NAME).read_text(encoding="utf-8")
    for src in re.findall(r'src="data:image/png;base64,([^"]+)"', html):
        img = Image.open(io.BytesIO(base64.b64decode(src))).convert("RGB")
        assert img.width > 200 and img.height > 100
        assert max(ImageStat.Stat(img).stddev) > 10           # not a blank canvas
        assert len(img.getcolors(maxcolors=1 << 20) or []) > 10


def test_markdown_summary(report):
    _, out, _ = report
    md = (out / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert md.startswith("# ") and "## Funnel (ok)" in md and "## LLM judge (five aspects) (ok)" in md
    assert "| ingested | 12 | 147 | 31 | 62 | ok |" in md


def test_secret_never_in_report(report, monkeypatch):
    _, out, _ = report
    text = (out / HTML_NAME).read_text(encoding="utf-8") + (out / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert "NA_TEST_JUDGE_KEY" not in text


def test_report_renders_in_chromium(report, tmp_path):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("Chromium not installed (apt-get install -y chromium)")
    from PIL import Image, ImageStat

    _, out, _ = report
    html = out / HTML_NAME
    images, decoded, stderr = probe_images(binary, html)
    n_plots = html.read_text(encoding="utf-8").count('<img class="plot"')
    assert images == n_plots and decoded == n_plots
    assert console_errors(stderr) == []
    png = tmp_path / "shot.png"
    proc = screenshot(binary, html, png, height=2400)
    assert png.is_file(), proc.stderr[-2000:]
    shot = Image.open(png).convert("RGB")
    assert shot.size == (1280, 2400)
    # the page below the header holds plots: several bands of the screenshot must have real content
    bands = [shot.crop((0, y, shot.width, y + 400)) for y in range(200, 2400 - 400, 400)]
    busy = [max(ImageStat.Stat(b).stddev) > 15 for b in bands]
    assert sum(busy) >= 3, busy


def test_missing_tables_say_stage_not_run(ctx):
    counts = write_report(ctx)
    html = (Path(ctx.settings.report.output_dir) / HTML_NAME).read_text(encoding="utf-8")
    status = _sections(html)
    assert status["funnel"] == "stage not run" and status["judge"] == "stage not run"
    assert counts["sections_not_run"] == 12 and counts["plots"] == 0
    assert status["worker"] == "skipped"  # no eval worker JSON at the default place
