"""Which copy of a record the raw loader keeps: the newest issue and comment, each history
once, one row per key whatever the order of pages and loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from raw_records import comment, history, issue, write_page

from ticket_analytics.warehouse.connection import connect
from ticket_analytics.warehouse.file_ingest import ingest_files


def test_a_newer_updated_wins_and_an_older_one_is_ignored(tmp_path: Path) -> None:
    first = write_page(
        tmp_path / "a.json", [issue("OPS-1", "1", "2025-11-03T10:00:00.000+0000", summary="v1")]
    )
    newer = write_page(
        tmp_path / "b.json", [issue("OPS-1", "1", "2025-11-04T10:00:00.000+0000", summary="v2")]
    )
    older = write_page(
        tmp_path / "c.json", [issue("OPS-1", "1", "2025-11-02T10:00:00.000+0000", summary="v0")]
    )
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, first)
        stats = ingest_files(conn, newer)
        assert (stats.inserted, stats.updated) == (0, 1)
        stats = ingest_files(conn, older)
        assert (stats.updated, stats.unchanged) == (0, 1)
        summary = conn.sql("select payload ->> '$.fields.summary' from raw.issues").fetchall()
    assert summary == [("v2",)]


def test_an_issue_marked_deleted_comes_back_only_when_seen_at_least_as_new(
    tmp_path: Path,
) -> None:
    """Re-ingesting an old export must not bring back, with its old payload, an issue that
    Jira has since deleted; seeing its latest version again (it was marked by mistake) does."""
    pages = {
        version: write_page(
            tmp_path / f"{version}.json",
            [issue("OPS-1", "1", f"2025-11-0{day}T10:00:00.000+0000", summary=version)],
        )
        for day, version in ((2, "old"), (3, "latest"))
    }
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, pages["latest"])
        conn.execute("update raw.issues set deleted_at = now()")
        state = "select payload ->> '$.fields.summary', deleted_at is null from raw.issues"
        stats = ingest_files(conn, pages["old"])
        assert (stats.updated, stats.unchanged) == (0, 1)
        assert conn.sql(state).fetchall() == [("latest", False)]
        stats = ingest_files(conn, pages["latest"])
        assert stats.updated == 1
        assert conn.sql(state).fetchall() == [("latest", True)]


def test_an_edit_arriving_with_a_new_issue_replaces_the_copy_its_comment_page_stored(
    tmp_path: Path,
) -> None:
    """A comment page can store comments before their issue; when the issue then arrives,
    new, with a newer copy of one, the edit must land (found by a review)."""
    first = comment("c1", "2025-11-03T10:00:00.000+0000", "first")
    first["self"] = "https://example.atlassian.net/rest/api/3/issue/1/comment/c1"
    (tmp_path / "comments.json").write_text(json.dumps({"comments": [first], "total": 1}))
    record = issue("OPS-1", "1")
    record["fields"]["comment"] = {
        "comments": [
            comment("c1", "2025-11-04T10:00:00.000+0000", "edited"),
            comment("c2", "2025-11-04T11:00:00.000+0000", "new"),
        ]
    }
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, tmp_path / "comments.json")
        stats = ingest_files(conn, write_page(tmp_path / "p.json", [record]))
        comments = conn.sql("select comment_id, body_text from raw.comments order by 1").fetchall()
    assert (stats.inserted, stats.comment_rows) == (1, 2)
    assert comments == [("c1", "edited"), ("c2", "new")]


def test_duplicates_inside_one_load_keep_the_latest_version(tmp_path: Path) -> None:
    page = write_page(
        tmp_path / "p.json",
        [
            issue("OPS-1", "1", "2025-11-04T10:00:00.000+0000", summary="latest"),
            issue("OPS-1", "1", "2025-11-03T10:00:00.000+0000", summary="stale"),
        ],
    )
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, page)
        assert conn.sql("select payload ->> '$.fields.summary' from raw.issues").fetchall() == [
            ("latest",)
        ]


def test_one_load_keeps_the_newest_comment_and_each_history_once(tmp_path: Path) -> None:
    def copy(updated: str, comment_text: str) -> dict[str, Any]:
        record = issue("OPS-1", "1", updated)
        record["changelog"] = {"histories": [history("h1", "2025-11-02T10:00:00.000+0000")]}
        record["fields"]["comment"] = {"comments": [comment("c1", updated, comment_text)]}
        return record

    # the newer copy first: order on the page must not decide
    page = write_page(
        tmp_path / "p.json",
        [
            copy("2025-11-04T10:00:00.000+0000", "edited"),
            copy("2025-11-03T10:00:00.000+0000", "first"),
        ],
    )
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, page)
        comments = conn.sql("select comment_id, body_text from raw.comments").fetchall()
        histories = conn.sql("select history_id from raw.changelog").fetchall()
    assert comments == [("c1", "edited")]
    assert histories == [("h1",)]


@pytest.mark.parametrize("with_new_issue", [False, True])
def test_an_edited_comment_from_a_comment_page_replaces_the_stored_one(
    tmp_path: Path, with_new_issue: bool
) -> None:
    """A comment page (`/issue/{id}/comment`) stages comments of an issue it does not stage:
    the comment update must run even when no staged issue is an update."""
    record = issue("OPS-1", "1")
    record["fields"]["comment"] = {
        "comments": [comment("c1", "2025-11-03T10:00:00.000+0000", "first")]
    }
    edited = comment("c1", "2025-11-04T10:00:00.000+0000", "edited")
    edited["self"] = "https://example.atlassian.net/rest/api/3/issue/1/comment/c1"
    later = tmp_path / "later"
    later.mkdir()
    (later / "comments.json").write_text(json.dumps({"comments": [edited], "total": 1}))
    if with_new_issue:
        write_page(later / "page.json", [issue("OPS-2", "2")])
    with connect(tmp_path / "w.duckdb") as conn:
        ingest_files(conn, write_page(tmp_path / "p.json", [record]))
        ingest_files(conn, later)
        comments = conn.sql("select comment_id, body_text from raw.comments").fetchall()
    assert comments == [("c1", "edited")]


def test_keys_stay_unique_across_overlapping_loads(tmp_path: Path) -> None:
    # raw tables carry no key index (migration 0006): the merges alone keep keys unique
    def version(updated: str, histories: int, comment_text: str) -> dict[str, Any]:
        record = issue("OPS-1", "1", updated)
        record["changelog"] = {
            "histories": [history(str(h), "2025-11-02T10:00:00.000+0000") for h in range(histories)]
        }
        record["fields"]["comment"] = {
            "comments": [comment("c1", updated, comment_text), comment("c2", updated, "same")]
        }
        return record

    pages = [
        write_page(tmp_path / "1.json", [version("2025-11-03T10:00:00.000+0000", 2, "v1")] * 2),
        write_page(tmp_path / "2.json", [version("2025-11-04T10:00:00.000+0000", 3, "v2")]),
        write_page(tmp_path / "3.json", [version("2025-11-04T10:00:00.000+0000", 3, "v2")]),
    ]
    with connect(tmp_path / "w.duckdb") as conn:
        for page in pages:
            ingest_files(conn, page)
        counts = {
            "issues": conn.sql(
                "select count(*), count(distinct issue_id) from raw.issues"
            ).fetchall(),
            "changelog": conn.sql(
                "select count(*), count(distinct (issue_id, history_id)) from raw.changelog"
            ).fetchall(),
            "comments": conn.sql(
                "select count(*), count(distinct (issue_id, comment_id)) from raw.comments"
            ).fetchall(),
        }
        body = conn.sql("select body_text from raw.comments where comment_id = 'c1'").fetchall()
    assert counts == {"issues": [(1, 1)], "changelog": [(3, 3)], "comments": [(2, 2)]}
    assert body == [("v2",)]
