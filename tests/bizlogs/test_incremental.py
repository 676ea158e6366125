"""Appended, rotated, truncated and compressed logs: every line counted once."""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ticket_analytics.bizlogs import BizLogConfig, ingest_logs
from ticket_analytics.warehouse.connection import connect


def _lines(first: int, count: int, tag: str = "a") -> str:
    return "".join(
        f"2025-10-01T00:00:00Z noise line {i}\n"
        f"2025-10-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z BIZ_METRIC event=order.created seq={tag}{i}\n"
        for i in range(first, first + count)
    )


def _app_log(tmp_path: Path, count: int) -> Path:
    """A log directory holding app.log with `count` marker lines (and as many others)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "app.log").write_text(_lines(0, count))
    return logs


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(tmp_path / "w.duckdb") as connection:
        yield connection


def _seqs(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in conn.sql("select tags['seq'] from raw.biz_events order by all").fetchall()
    ]


def _expected(*ranges: tuple[str, int, int]) -> list[str]:
    return sorted(f"{tag}{i}" for tag, first, count in ranges for i in range(first, first + count))


def test_a_second_run_over_the_same_files_adds_nothing(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    logs = _app_log(tmp_path, 50)
    with gzip.open(logs / "old.log.gz", "wt") as packed:
        packed.write(_lines(0, 20, "g"))
    first = ingest_logs(conn, logs)
    second = ingest_logs(conn, logs)
    assert (first.events, second.events, second.files_unchanged) == (70, 0, 2)
    assert _seqs(conn) == _expected(("a", 0, 50), ("g", 0, 20))


def test_appended_lines_are_read_from_the_offset_with_continuing_line_numbers(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    log = tmp_path / "app.log"
    log.write_text(_lines(0, 10) + "2025-10-01T00:00:00Z BIZ_METRIC event=order.created seq=pa")
    assert ingest_logs(conn, log).events == 10  # the unterminated line waits
    with open(log, "a") as handle:
        handle.write("rtial\n" + _lines(10, 5))
    assert ingest_logs(conn, log).events == 6
    assert _seqs(conn) == sorted([*_expected(("a", 0, 15)), "partial"])
    numbers = conn.sql("select max(line_number) from raw.biz_events").fetchall()
    assert numbers == [(31,)]


def test_rotation_then_compression_reads_each_line_once(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    logs = _app_log(tmp_path, 10)
    log = logs / "app.log"
    ingest_logs(conn, logs)
    with open(log, "a") as handle:  # written after the scan, before rotation
        handle.write(_lines(10, 5))
    os.rename(log, logs / "app.log.1")
    log.write_text(_lines(0, 7, "b"))
    ingest_logs(conn, logs)
    assert _seqs(conn) == _expected(("a", 0, 15), ("b", 0, 7))

    with open(log, "a") as handle:
        handle.write(_lines(7, 3, "b"))
    rotated = logs / "app.log.1"
    with open(rotated, "rb") as plain, gzip.open(logs / "app.log.1.gz", "wb") as packed:
        shutil.copyfileobj(plain, packed)
    rotated.unlink()
    stats = ingest_logs(conn, logs)
    assert stats.events == 3
    assert _seqs(conn) == _expected(("a", 0, 15), ("b", 0, 10))


def test_a_compressed_copy_of_a_file_read_halfway_adds_only_the_rest(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    logs = _app_log(tmp_path, 10)
    ingest_logs(conn, logs)
    with gzip.open(logs / "app.log.gz", "wt") as packed:
        packed.write(_lines(0, 25))
    (logs / "app.log").unlink()
    assert ingest_logs(conn, logs).events == 15
    assert ingest_logs(conn, logs).events == 0
    assert _seqs(conn) == _expected(("a", 0, 25))


def test_a_truncated_file_is_read_again_from_the_start(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    log = tmp_path / "app.log"
    log.write_text(_lines(0, 20))
    ingest_logs(conn, log)
    with open(log, "r+") as handle:  # copytruncate keeps the inode
        handle.truncate(0)
        handle.write(_lines(0, 4, "t"))
    assert ingest_logs(conn, log).events == 4
    assert _seqs(conn) == _expected(("a", 0, 20), ("t", 0, 4))
    streams = conn.sql("select count(*) from meta.log_checkpoints").fetchall()
    assert streams == [(1,)]


def test_a_gzip_still_being_written_is_left_for_the_next_run(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    logs = _app_log(tmp_path, 3)
    whole = gzip.compress(_lines(0, 2000, "g").encode())
    (logs / "app.log.1.gz").write_bytes(whole[: len(whole) // 2])  # logrotate mid-compression

    first = ingest_logs(conn, logs)
    (logs / "app.log.1.gz").write_bytes(whole)
    second = ingest_logs(conn, logs)

    assert (first.events, first.files_unreadable) == (3, (str(logs / "app.log.1.gz"),))
    assert (second.events, second.files_unreadable) == (2000, ())
    assert _seqs(conn) == _expected(("a", 0, 3), ("g", 0, 2000))


def test_a_file_deleted_during_a_run_is_skipped_not_fatal(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    logs = _app_log(tmp_path, 5)
    (logs / "app.log.5").write_text(_lines(0, 5, "old"))

    def logrotate_runs(path: str, offset: int) -> None:  # while app.log is read
        (logs / "app.log.5").unlink(missing_ok=True)

    stats = ingest_logs(conn, logs, progress=logrotate_runs)

    assert (stats.events, stats.files_unreadable) == (5, (str(logs / "app.log.5"),))
    assert _seqs(conn) == _expected(("a", 0, 5))


@pytest.mark.parametrize("copy", ["app.log.1", "app.log.1.gz"])
def test_copytruncate_with_its_copy_beside_reads_each_line_once(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection, copy: str
) -> None:
    """logrotate's copytruncate: the lines read so far and the few written since are in the
    copy, and the truncated file starts again; the copy carries on the old stream."""
    logs = _app_log(tmp_path, 10)
    log = logs / "app.log"
    ingest_logs(conn, logs)
    with open(log, "a") as handle:
        handle.write(_lines(10, 5))
    with (
        open(log, "rb") as plain,
        (gzip.open if copy.endswith(".gz") else open)(logs / copy, "wb") as copied,
    ):
        shutil.copyfileobj(plain, copied)
    with open(log, "r+") as handle:
        handle.truncate(0)
        handle.write(_lines(0, 3, "b"))

    assert ingest_logs(conn, logs).events == 5 + 3
    assert ingest_logs(conn, logs).events == 0
    assert _seqs(conn) == _expected(("a", 0, 15), ("b", 0, 3))


def test_small_blocks_and_batches_find_the_same_lines_as_one_big_read(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection
) -> None:
    log = tmp_path / "app.log"
    log.write_text(_lines(0, 500))
    stats = ingest_logs(conn, log, BizLogConfig(block_bytes=1000, batch_bytes=5000))
    assert stats.events == 500 and stats.lines_read == 1000
    numbers = conn.sql("select list(line_number order by line_number) from raw.biz_events")
    assert numbers.fetchall()[0][0] == list(range(2, 1001, 2))


def test_a_load_that_fails_midway_resumes_from_its_last_committed_batch(
    tmp_path: Path, conn: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ticket_analytics.bizlogs import ingest

    log = tmp_path / "app.log"
    log.write_text(_lines(0, 500))
    small = BizLogConfig(block_bytes=1000, batch_bytes=5000)
    commit = ingest._Writer.commit
    calls = []

    def failing(self: ingest._Writer, *args: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return commit(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest._Writer, "commit", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_logs(conn, log, small)
    monkeypatch.setattr(ingest._Writer, "commit", commit)
    landed = conn.sql("select count(*) from raw.biz_events").fetchall()[0][0]
    assert 0 < landed < 500
    ingest_logs(conn, log, small)
    assert _seqs(conn) == _expected(("a", 0, 500))
