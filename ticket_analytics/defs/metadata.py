"""Metadata shown in the Dagster UI: one markdown renderer for every table preview."""

from __future__ import annotations

import html

import polars as pl

CELL_CHARS = 60


def markdown_table(frame: pl.DataFrame, *, cell_chars: int = CELL_CHARS) -> str:
    """`frame` as a markdown table whose cells can never become markup.

    Request templates hold placeholders like `<id>`, which the UI's markdown would take for
    tags, and ticket text may hold anything: cells are HTML-escaped, pipes and newlines too.
    """
    if frame.is_empty():
        return "_no rows_"

    def cell(value: object) -> str:
        text = f"{value:,.2f}" if isinstance(value, float) else str(value)
        text = text.replace("\n", " ")[:cell_chars]
        return html.escape(text, quote=False).replace("|", "\\|")

    header = "| " + " | ".join(cell(c) for c in frame.columns) + " |\n"
    rule = "|" + "---|" * len(frame.columns) + "\n"
    rows = "".join("| " + " | ".join(cell(v) for v in row) + " |\n" for row in frame.iter_rows())
    return header + rule + rows
