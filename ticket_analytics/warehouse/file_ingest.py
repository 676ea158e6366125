"""Load Jira JSON exports (a file or a directory) into the raw tables, all or nothing."""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ticket_analytics.jira.payloads import add_document, discover_files, read_documents
from ticket_analytics.jira.records import RawRows
from ticket_analytics.warehouse.raw_load import (
    STAGED_TABLES,
    Frames,
    LoadStats,
    RawLoader,
    raw_frames,
)

Progress = Callable[[int, int, Path], None]
# Parsing (JSON, ADF, timestamps) is pure Python and dominates a load, so large loads parse
# in a process pool; below this size starting the pool costs more than it saves.
PARALLEL_FROM_BYTES = 50_000_000
# Files are parsed in groups of about this many bytes: each group becomes one insert per
# table, and a page-sized insert would pay DuckDB's fixed per-statement cost a thousand times.
GROUP_BYTES = 16_000_000


@dataclass(frozen=True)
class _Group:
    files: list[Path]
    labels: list[str]


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Parsed JSON is millions of acyclic dicts and lists; letting the cycle collector walk
    # them again and again while they pile up costs more than the parsing itself.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_group(group: _Group) -> tuple[Frames, list[str], int]:
    rows, seen = RawRows(), 0
    sources: dict[str, list[str]] = {}
    with _gc_paused():
        for file, label in zip(group.files, group.labels, strict=True):
            before = [len(table) for table in rows.tables()]
            for locator, document in read_documents(file, label):
                seen += add_document(rows, document, locator)
            source = f"file:{file}"
            for table, count, records in zip(STAGED_TABLES, before, rows.tables(), strict=True):
                sources.setdefault(table, []).extend([source] * (len(records) - count))
        return raw_frames(rows, sources), [f"file:{f}" for f in group.files], seen


def _parse_group_to_files(group: _Group, directory: Path) -> tuple[dict[str, str], list[str], int]:
    """`_parse_group` in a worker: the frames go back as Arrow files, named in the result.

    Pickling a gigabyte of frames through the pool's pipe cost more than a second of CPU on
    each side; a file costs the worker one write and the parent nothing but a memory map.
    """
    frames, sources, seen = _parse_group(group)
    paths = {}
    for table, frame in frames.items():
        handle, path = tempfile.mkstemp(suffix=f"-{table}.arrow", dir=directory)
        try:
            with os.fdopen(handle, "wb") as sink, pa.ipc.new_file(sink, frame.schema) as writer:
                writer.write_table(frame)
        except OSError as exc:
            # most likely a full disk: say where, and what to do about it
            raise OSError(
                exc.errno,
                f"cannot write the rows parsed from {group.files[0]} to {directory} "
                f"({exc.strerror or exc}); set TMPDIR to a directory with room for about "
                "the size of the export",
            ) from exc
        paths[table] = path
    return paths, sources, seen


def _mapped(paths: dict[str, str]) -> Frames:
    # Mapped, the frames stay readable after their files are removed with the directory.
    return {
        table: pa.ipc.open_file(pa.memory_map(path)).read_all() for table, path in paths.items()
    }


def _groups(files: list[Path], labels: list[str], sizes: list[int]) -> list[_Group]:
    # at least a few groups per worker, so no worker waits on one big last group
    target = min(GROUP_BYTES, sum(sizes) // (4 * (os.cpu_count() or 1)) + 1)
    groups: list[_Group] = []
    current, size = _Group([], []), 0
    for file, label, file_size in zip(files, labels, sizes, strict=True):
        current.files.append(file)
        current.labels.append(label)
        size += file_size
        if size >= target:
            groups.append(current)
            current, size = _Group([], []), 0
    if current.files:
        groups.append(current)
    return groups


def _parsed(
    groups: list[_Group], total_bytes: int, parallel_from_bytes: int
) -> Iterator[tuple[Frames, list[str], int]]:
    workers = min(len(groups), os.cpu_count() or 1)
    if workers < 2 or total_bytes < parallel_from_bytes:
        yield from map(_parse_group, groups)
        return
    # fork: the children only parse, with modules already imported; spawn would re-import
    # the caller's main module, which scripts without a __main__ guard cannot survive
    context = multiprocessing.get_context("fork")
    # pyarrow imports pandas (0.2 s) the first time it converts Python objects; importing it
    # once before the fork spares every worker its own import
    pa.array([0])
    with (
        tempfile.TemporaryDirectory(prefix="ticket_analytics_load_") as directory,
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
    ):
        parse = functools.partial(_parse_group_to_files, directory=Path(directory))
        for paths, sources, seen in pool.map(parse, groups):
            yield _mapped(paths), sources, seen


def ingest_files(
    conn: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    progress: Progress | None = None,
    parallel_from_bytes: int = PARALLEL_FROM_BYTES,
) -> LoadStats:
    """Parse every file under `path`, then merge them in one transaction.

    Malformed JSON anywhere raises `PayloadError` before anything is written.
    """
    files = discover_files(path)
    labels = [str(f.relative_to(path)) if path.is_dir() else f.name for f in files]
    sizes = [f.stat().st_size for f in files]
    groups = _groups(files, labels, sizes)
    loader = RawLoader(conn)
    done = 0
    # The parent stages each group while the workers parse the next ones.
    for group, (frames, sources, seen) in zip(
        groups, _parsed(groups, sum(sizes), parallel_from_bytes), strict=True
    ):
        loader.stage_frames(frames, sources, issues_seen=seen)
        done += len(group.files)
        if progress:
            progress(done, len(files), group.files[-1])
    return loader.commit()
