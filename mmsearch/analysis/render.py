"""A report's blocks written out as plain text, Markdown, one self-contained HTML file with its figures, or JSON."""

from __future__ import annotations

import html

import pandas as pd

from .errors import AnalysisError
from .layout import Block, report_blocks
from .report import Report
from .report_json import report_json

FORMATS = ("text", "markdown", "html", "json")


def render(report: Report, form: str) -> str:
    """The report in ``form`` (one of ``FORMATS``)."""
    if form == "json":
        return report_json(report)
    blocks = report_blocks(report)
    if form == "text":
        return render_text(blocks)
    if form == "markdown":
        return render_markdown(blocks, report.study)
    return render_html(report, blocks)


def render_text(blocks: list[Block]) -> str:
    """Titles underlined, lines as they are, tables aligned in columns."""
    parts = []
    for block in blocks:
        parts += [block.title, "=" * len(block.title), *block.lines]
        if block.table is not None:
            parts.append(block.table.to_string(index=False))
        parts.append("")
    return "\n".join(parts)


def render_markdown(blocks: list[Block], study: str) -> str:
    """A ``#`` title, one ``##`` section per block, pipe tables."""
    parts = [f"# mmsearch report: {study}", ""]
    for block in blocks:
        parts += [f"## {block.title}", "", *[f"{line}  " for line in block.lines], ""]
        if block.table is not None:
            parts += [_markdown_table(block.table), ""]
    return "\n".join(parts)


def render_html(report: Report, blocks: list[Block]) -> str:
    """One HTML page with plotly.js inlined (no network needed to open it): per block its lines, its table and its
    figures.

    Raises:
        AnalysisError: plotly is not installed.
    """
    try:
        from plotly.offline import get_plotlyjs

        from .report_figures import report_figures
    except ImportError as error:
        raise AnalysisError(f"the html format needs plotly ({error}); pip install 'mmsearch[plots]'") from error
    figures = report_figures(report)
    body = []
    for block in blocks:
        body.append(f"<section><h2>{html.escape(block.title)}</h2>")
        body += [f"<p>{html.escape(line)}</p>" for line in block.lines]
        if block.table is not None:
            body.append(block.table.to_html(index=False, escape=True, border=0, classes="table"))
        body += [figure.to_html(full_html=False, include_plotlyjs=False) for figure in figures.get(block.key, [])]
        body.append("</section>")
    title = html.escape(f"mmsearch report: {report.study}")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{title}</title>",
            f"<style>{_STYLE}</style>",
            f'<script type="text/javascript">{get_plotlyjs()}</script>',
            f"</head><body><h1>{title}</h1>",
            *body,
            "</body></html>",
        ]
    )


def _markdown_table(table: pd.DataFrame) -> str:
    escape = lambda cell: str(cell).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(escape(c) for c in table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table.table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
table.table th, table.table td { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; }
table.table th { background: #f5f5f5; }
"""
