"""Rendering: one self-contained HTML file (CSS inline, plots as base64 PNG) and a Markdown summary.

Self-contained because the report travels: attached to a ticket, opened from a Databricks volume, archived beside
the export. No scripts, no external fonts or images; tables use ``dir="auto"`` so Arabic cells render right to left.
"""

from __future__ import annotations

import base64
import html as _html
import math
import numbers
from dataclasses import dataclass, field

import jinja2
import numpy as np
import pandas as pd


@dataclass
class ReportSection:
    """One section of the report. ``status``: "ok", "stage not run" or "skipped" (``note`` says why)."""

    key: str
    title: str
    status: str = "ok"
    note: str | None = None
    plots: list[tuple[str, bytes]] = field(default_factory=list)   # (alt text, PNG bytes)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)               # one-line findings (Markdown summary too)


def _fmt(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, numbers.Integral):
        return f"{int(v):,}"
    if isinstance(v, numbers.Real):
        v = float(v)
        if v.is_integer() and abs(v) < 1e15:  # counts that pandas turned into floats next to a null
            return f"{int(v):,}"
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def table_html(df: pd.DataFrame, max_rows: int = 50) -> str:
    """A small HTML table; numbers right-aligned and formatted, text cells ``dir=auto``."""
    head = "".join(f"<th>{_html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for _, row in df.head(max_rows).iterrows():
        cells = []
        for v in row.tolist():
            num = isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
            cls = ' class="num"' if num else ' dir="auto"'
            cells.append(f"<td{cls}>{_html.escape(_fmt(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = f'<p class="more">{len(df) - max_rows:,} more rows not shown</p>' if len(df) > max_rows else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


_TEMPLATE = jinja2.Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  body { font-family: -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif; margin: 0;
         color: #222; background: #f6f7f9; }
  header { background: #1f7a8c; color: white; padding: 18px 32px; }
  header h1 { margin: 0 0 4px 0; font-size: 22px; }
  header p { margin: 0; opacity: 0.9; font-size: 13px; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
  nav { font-size: 13px; margin: 8px 0 16px; }
  nav a { margin-right: 12px; color: #1f7a8c; }
  section { background: white; border-radius: 8px; padding: 16px 24px; margin: 16px 0;
            box-shadow: 0 1px 3px rgba(0,0,0,0.08); }
  h2 { font-size: 18px; margin: 0 0 8px; }
  .status { display: inline-block; font-size: 12px; padding: 2px 8px; border-radius: 10px; margin-left: 8px;
            vertical-align: middle; }
  .status.ok { background: #e3f2ee; color: #1d6b55; }
  .status.notrun, .status.skipped { background: #eee; color: #666; }
  .note { color: #555; font-size: 13px; }
  ul.summary { margin: 6px 0 12px; }
  figure { margin: 12px 0; }
  figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
  table { border-collapse: collapse; font-size: 13px; margin: 8px 0 12px; }
  th, td { border-bottom: 1px solid #e6e6e6; padding: 4px 10px; text-align: left; }
  th { background: #fafafa; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  pre { background: #f3f3f3; padding: 10px; overflow-x: auto; font-size: 12px; }
  .more { font-size: 12px; color: #777; }
  h3 { font-size: 14px; margin: 12px 0 4px; color: #444; }
</style>
</head>
<body>
<header><h1>{{ title }}</h1><p>{{ subtitle }}</p></header>
<main>
<nav>{% for s in sections %}<a href="#{{ s.key }}">{{ s.title }}</a>{% endfor %}</nav>
{% for s in sections %}
<section id="{{ s.key }}">
  <h2>{{ s.title }}<span class="status {{ s.status_class }}">{{ s.status }}</span></h2>
  {% if s.note %}<p class="note">{{ s.note }}</p>{% endif %}
  {% if s.summary %}<ul class="summary">{% for line in s.summary %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
  {% for alt, uri in s.images %}<figure><img class="plot" alt="{{ alt }}" src="{{ uri }}"></figure>{% endfor %}
  {% for caption, table in s.tables_html %}{% if caption %}<h3>{{ caption }}</h3>{% endif %}{{ table | safe }}{% endfor %}
  {% if s.pre %}<pre>{{ s.pre }}</pre>{% endif %}
</section>
{% endfor %}
</main>
</body>
</html>
""", autoescape=True)


def render_html(title: str, subtitle: str, sections: list[ReportSection],
                preformatted: dict[str, str] | None = None) -> str:
    """The whole report as one HTML string. ``preformatted``: section key -> monospace text (reconciliation)."""
    preformatted = preformatted or {}
    view = []
    for s in sections:
        view.append({
            "key": s.key, "title": s.title, "status": s.status, "note": s.note, "summary": s.summary,
            "status_class": {"ok": "ok", "stage not run": "notrun"}.get(s.status, "skipped"),
            "images": [(alt, data_uri(png)) for alt, png in s.plots],
            "tables_html": [(cap, table_html(df)) for cap, df in s.tables],
            "pre": preformatted.get(s.key),
        })
    return _TEMPLATE.render(title=title, subtitle=subtitle, sections=view)


def render_markdown(title: str, subtitle: str, sections: list[ReportSection],
                    preformatted: dict[str, str] | None = None) -> str:
    """A short Markdown summary: each section's status, its findings, and its first table."""
    preformatted = preformatted or {}
    out = [f"# {title}", "", subtitle, ""]
    for s in sections:
        out.append(f"## {s.title} ({s.status})")
        if s.note:
            out += ["", s.note]
        if s.summary:
            out += [""] + [f"- {line}" for line in s.summary]
        if s.tables:
            caption, df = s.tables[0]
            out += ["", _md_table(df.head(20))]
        if s.key in preformatted:
            out += ["", "```", preformatted[s.key], "```"]
        out.append("")
    return "\n".join(out)


def _md_table(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(str(c) for c in df.columns) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    rows = ["| " + " | ".join(_fmt(v).replace("|", "\\|") for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *rows])
