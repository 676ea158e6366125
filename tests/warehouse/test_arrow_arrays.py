"""Arrow arrays built from their buffers: the same values `pa.array` makes, without pandas."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from ticket_analytics.warehouse import arrow_arrays
from ticket_analytics.warehouse.arrow_arrays import (
    TIMESTAMP,
    int64s,
    strings,
    timestamps,
    utf8_texts,
)


def test_strings_match_pa_array_with_nulls_and_any_unicode() -> None:
    values = ["OPS-1", None, "", "\u00e9\u6f22\U0001f680", None, "x" * 10_000]
    assert strings(values).equals(pa.array(values, pa.string()))
    assert strings([]).equals(pa.array([], pa.string()))
    assert strings(["a", "b"]).null_count == 0
    with pytest.raises(TypeError, match="a text column got int 10000"):
        strings(["a", 10000])  # type: ignore[list-item]


def test_timestamps_are_utc_microseconds_with_nulls() -> None:
    tokyo = timezone(timedelta(hours=9))
    values = [
        datetime(2025, 11, 3, 14, 5, 0, 123456, tzinfo=tokyo),
        None,
        datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    made = timestamps(values)
    assert made.type == TIMESTAMP
    assert made.equals(pa.array(values, TIMESTAMP))
    assert made.to_pylist()[0] == datetime(2025, 11, 3, 5, 5, 0, 123456, tzinfo=UTC)


def test_int64s() -> None:
    assert int64s(np.arange(3, 6)).equals(pa.array([3, 4, 5], pa.int64()))


def test_utf8_texts_keep_every_byte_and_refuse_broken_utf8() -> None:
    payloads = [b'{"a":1}', b"", '{"t":"\u00e9\u6f22\U0001f680\\n"}'.encode(), b"[]" * 5000]
    for dtype in (pa.string(), pa.json_()):
        column = utf8_texts(payloads, dtype)
        assert column.type == dtype
        assert column.to_pylist() == [p.decode() for p in payloads]
        with pytest.raises(pa.ArrowInvalid, match="UTF8"):
            utf8_texts([b"{}", b'"\xff"'], dtype)


def test_texts_over_an_arrays_offsets_are_chunked_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(arrow_arrays, "_MAX_TEXT_BYTES", 10)
    values = ["abcd", None, "efghij", "k", None, "lmnopqrst", "u"]
    made = strings(values)
    assert isinstance(made, pa.ChunkedArray) and made.num_chunks > 1
    assert made.to_pylist() == values
    payloads = [b'"abc"', b'"defgh"', b'"ij"']
    assert utf8_texts(payloads, pa.json_()).to_pylist() == [p.decode() for p in payloads]
    with pytest.raises(ValueError, match="11 bytes"):
        strings(["x" * 11])


def test_staging_and_loading_rows_never_imports_pandas(tmp_path: Path) -> None:
    # pyarrow imports pandas at its first pa.array: ~30 MB of a sync's memory for nothing
    script = """
import sys
from pathlib import Path
from ticket_analytics.jira.records import RawRows
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.raw_load import STAGED_TABLES, RawLoader, raw_frames

moment = "2025-11-03T14:05:00.000+0900"
good = {"id": "1", "key": "OPS-1", "fields": {"created": moment, "updated": moment,
        "comment": {"comments": [{"id": "9", "created": moment, "body": "hi"}]}},
        "changelog": {"histories": [{"id": "5", "created": moment, "items": []}]}}
with connect(Path(sys.argv[1])) as conn:
    # one load with no rejection, one with nothing but: each has empty staged tables
    for issue in (good, {"id": "2"}):
        rows = RawRows()
        rows.add_issue(issue, "test#1")
        sources = {t: ["test"] * len(r) for t, r in zip(STAGED_TABLES, rows.tables())}
        loader = RawLoader(conn)
        loader.stage_frames(raw_frames(rows, sources), ["test"], issues_seen=1)
        loader.commit()
    counts = "select (select count(*) from raw.changelog), (select count(*) from raw.rejected_issues)"
    assert conn.execute(counts).fetchall() == [(1, 1)]
print("pandas" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"
