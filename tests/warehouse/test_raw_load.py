"""The raw loader: real Jira payloads, idempotence, bad input, hostile text (which copy wins:
test_raw_merges)."""

from __future__ import annotations

import errno
import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from raw_records import comment, history, issue, write_page

from ticket_analytics.jira.payloads import PayloadError
from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.file_ingest import ingest_files


def _snapshot(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("issues", "changelog", "comments", "rejected_issues")
    return {t: conn.table(f"raw.{t}").order("all").fetchall() for t in tables}


def test_real_captured_payloads_load_with_changelog_and_comments(
    tmp_path: Path, jira_samples: Path
) -> None:
    with connect(tmp_path / "w.duckdb") as conn:
        stats = ingest_files(conn, jira_samples)
        assert stats.rejected == 0
        keys = {k for (k,) in conn.sql("select issue_key from raw.issues").fetchall()}
        assert {"TST-2", "HST-1", "TST-6", "TST-13", "SAMPLEPROJECT-1"} <= keys
        histories = dict(
            conn.sql(
                "select i.issue_key, count(*) from raw.changelog c join raw.issues i using (issue_id) group by 1"
            ).fetchall()
        )
        assert histories["TST-2"] == 30
        assert histories["HST-1"] == 4
        # the Cloud comment page has no issue key: the issue id comes from each comment's self URL
        cloud_comments = conn.sql(
            "select issue_id, comment_id from raw.comments where issue_id in ('10625', '10075') order by 1"
        ).fetchall()
        assert cloud_comments == [("10075", "10521"), ("10625", "10755")]
        description = conn.sql(
            "select description_text from raw.issues where payload ->> '$.self' like '%airbyteio%' limit 1"
        ).fetchall()[0][0]
        assert description and "{" not in description  # ADF flattened, not JSON


def test_timestamps_are_stored_in_utc(tmp_path: Path) -> None:
    page = write_page(tmp_path / "p.json", [issue("OPS-1", "1")])
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, page)
        created = conn.sql(
            "select strftime(created_at, '%Y-%m-%d %H:%M') from raw.issues"
        ).fetchall()
    assert created == [("2025-10-31 23:30",)]


def test_loading_the_same_files_twice_leaves_an_identical_warehouse(
    tmp_path: Path, jira_samples: Path
) -> None:
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, jira_samples)
        before = _snapshot(conn)
        stats = ingest_files(conn, jira_samples)
        assert _snapshot(conn) == before
    assert stats.inserted == 0 and stats.updated == 0 and stats.unchanged > 0


def test_malformed_json_names_the_file_and_position_and_writes_nothing(tmp_path: Path) -> None:
    good = write_page(tmp_path / "a.json", [issue("OPS-1", "1")])
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, good)
        before = _snapshot(conn)
        export = tmp_path / "export"
        export.mkdir()
        write_page(export / "a.json", [issue("OPS-2", "2")])
        (export / "b.json").write_text('{"issues": [\n  {"id": "3",, }\n]}', encoding="utf-8")
        with pytest.raises(PayloadError) as error:
            ingest_files(conn, export)
        assert _snapshot(conn) == before
    message = str(error.value)
    assert "b.json" in message and "line 2" in message


def test_records_without_key_or_with_bad_dates_are_rejected_with_a_reason(tmp_path: Path) -> None:
    no_key = issue("OPS-2", "2")
    del no_key["key"]
    page = write_page(
        tmp_path / "p.json",
        [
            issue("OPS-1", "1"),
            no_key,
            issue("OPS-3", "3", created="yesterday-ish"),
            issue("OPS-4", "4", resolutiondate="2025-13-45T99:00:00.000+0900"),
            "not an issue",
        ],
    )
    with connect(tmp_path / "w.duckdb") as conn:
        stats = ingest_files(conn, page)
        loaded = conn.sql("select issue_key from raw.issues").fetchall()
        rejected = conn.sql(
            "select issue_key, reason, locator from raw.rejected_issues order by locator"
        ).fetchall()
        ingest_files(conn, page)
        assert conn.sql("select count(*) from raw.rejected_issues").fetchall() == [(4,)]
    assert loaded == [("OPS-1",)]
    assert stats.rejected == 4
    reasons = {key: reason for key, reason, _ in rejected}
    assert reasons[None].startswith("missing key") or any(
        "missing key" in r for _, r, _ in rejected
    )
    assert "fields.created" in reasons["OPS-3"] and "yesterday-ish" in reasons["OPS-3"]
    assert "fields.resolutiondate" in reasons["OPS-4"]
    assert all("p.json#issues[" in locator for _, _, locator in rejected)


def test_hostile_ticket_text_is_stored_exactly_and_never_breaks_a_load(tmp_path: Path) -> None:
    hostile = "<script>alert('x')</script> \x00\x07 🔥 ' or 1=1; -- {{ ref('x') }} \u202e"
    depth = 1500  # past orjson's limits (254 to write, 1024 to read)
    deep_description = (
        '{"type": "doc", "version": 1, "content": ['
        + '{"type": "blockquote", "content": [' * depth
        + '{"type": "text", "text": "deep"}'
        + "]}" * depth
        + "]}"
    )
    huge = "가" * 2_000_000
    page = write_page(
        tmp_path / "p.json",
        [
            issue("OPS-1", "1", summary=hostile),
            issue("OPS-2", "2", description="__DEEP__"),
            issue("OPS-3", "3", description=huge),
        ],
        deep=deep_description,
    )
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, page)
        rows = dict(
            conn.sql("select issue_key, payload ->> '$.fields.summary' from raw.issues").fetchall()
        )
        texts = dict(conn.sql("select issue_key, description_text from raw.issues").fetchall())
        payloads = dict(conn.sql("select issue_key, payload::varchar from raw.issues").fetchall())
    assert rows["OPS-1"] == hostile
    assert "deep" in texts["OPS-2"]
    assert '"deep"' in payloads["OPS-2"]
    assert texts["OPS-3"] == huge


def test_an_odd_project_member_never_breaks_a_load(tmp_path: Path) -> None:
    page = write_page(
        tmp_path / "p.json",
        [
            issue("OPS-1", "1", project={"key": 10000}),
            issue("OPS-2", "2", project={"key": {"name": "x"}}),
            issue("NOHYPHEN", "3", project={"key": None}),
            issue("OPS-4", "4", project={"key": "PLAT"}),
        ],
    )
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, page)
        keys = conn.sql("select issue_key, project_key from raw.issues order by 1").fetchall()
    # the issue key's prefix when the project has no key of text
    assert keys == [("NOHYPHEN", None), ("OPS-1", "OPS"), ("OPS-2", "OPS"), ("OPS-4", "PLAT")]


def test_ndjson_and_single_issue_files_load(tmp_path: Path, jira_samples: Path) -> None:
    lines = tmp_path / "issues.ndjson"
    lines.write_text("\n".join(json.dumps(issue(f"OPS-{i}", str(i))) for i in range(1, 4)) + "\n")
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, lines)
        ingest_files(conn, jira_samples / "dc-v2-issue-with-changelog.jrjc.json")
        keys = sorted(k for (k,) in conn.sql("select issue_key from raw.issues").fetchall())
    assert keys == ["HST-1", "OPS-1", "OPS-2", "OPS-3"]


def test_a_broken_ndjson_line_is_reported_with_its_line_number(tmp_path: Path) -> None:
    lines = tmp_path / "issues.ndjson"
    lines.write_text(json.dumps(issue("OPS-1", "1")) + "\n{broken\n")
    with (
        connect(tmp_path / "w.duckdb") as conn,
        pytest.raises(PayloadError, match=r"issues.ndjson: invalid JSON at line 2"),
    ):
        ingest_files(conn, lines)


def test_parallel_parsing_loads_the_same_rows_and_still_names_a_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    for n in range(12):
        issues = [issue(f"OPS-{n}{i}", f"{n}{i}") for i in range(5)]
        issues[0]["changelog"] = {"histories": [history("1", "2025-11-02T10:00:00.000+0900")]}
        issues[1]["fields"]["comment"] = {
            "comments": [comment("7", "2025-11-02T10:00:00.000+0900", "hi")]
        }
        write_page(export / f"page-{n:02d}.json", issues)
    # the workers hand their frames over as files in a temporary directory
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    # fetched_at differs between the two loads; everything else must match
    tables = [
        f"select * exclude (fetched_at) from raw.{table} order by all"
        for table in ("issues", "changelog", "comments")
    ]
    with connect(tmp_path / "serial.duckdb") as conn:
        ingest_files(conn, export)
        serial = [conn.sql(query).fetchall() for query in tables]
    with connect(tmp_path / "parallel.duckdb") as conn:
        stats = ingest_files(conn, export, parallel_from_bytes=0)
        assert stats.inserted == 60 and stats.changelog_rows == stats.comment_rows == 12
        assert [conn.sql(query).fetchall() for query in tables] == serial
        assert list(scratch.iterdir()) == []
        (export / "page-05.json").write_text('{"issues": [oops]}')
        with pytest.raises(PayloadError, match=r"page-05\.json: invalid JSON"):
            ingest_files(conn, export, parallel_from_bytes=0)
    assert list(scratch.iterdir()) == []


def test_a_full_temporary_directory_fails_the_load_naming_tmpdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    for n in range(3):
        write_page(export / f"page-{n}.json", [issue(f"OPS-{n}", str(n))])
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, export / "page-0.json")

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # the forked workers inherit the patch: every write of parsed rows meets a full disk
    monkeypatch.setattr(pa.ipc, "new_file", disk_full)
    with (
        connect(tmp_path / "w.duckdb") as conn,
        pytest.raises(OSError, match=r"No space left on device.*set TMPDIR") as caught,
    ):
        ingest_files(conn, export, parallel_from_bytes=0)
    assert caught.value.errno == errno.ENOSPC
    with connect(tmp_path / "w.duckdb") as conn:
        assert conn.sql("select issue_key from raw.issues").fetchall() == [("OPS-0",)]
