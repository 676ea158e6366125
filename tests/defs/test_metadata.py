"""Previews in the Dagster UI never turn ticket text into markup."""

from __future__ import annotations

import polars as pl

from ticket_analytics.defs.metadata import markdown_table


def test_cells_are_escaped_so_placeholders_and_ticket_text_stay_text() -> None:
    frame = pl.DataFrame(
        {
            "request_template": ["s3 버킷 생성 요청 <id>", "<script>alert(1)</script> | x"],
            "hours": [1234.5, 2.0],
        }
    )
    table = markdown_table(frame)
    assert "s3 버킷 생성 요청 &lt;id&gt;" in table
    assert "<script>" not in table and "&lt;script&gt;" in table
    assert "\\| x" in table and "1,234.50" in table
    assert table.count("\n") == 4


def test_long_and_multiline_cells_are_cut_to_one_line() -> None:
    table = markdown_table(pl.DataFrame({"text": ["a\nb" + "c" * 100]}))
    assert "a bccc" in table and "c" * 60 not in table


def test_an_empty_frame_says_so() -> None:
    assert markdown_table(pl.DataFrame({"a": []})) == "_no rows_"
