"""Which part of each log file is new: files are followed as content streams.

A stream is a log's content, whatever file holds it now. It is recognised by the sha256 of
its first bytes (decompressed for gzip), so:

- appended: same head, file longer than the offset -> read from the offset;
- rotated (renamed, new file created): the renamed file still has the stream's head -> it
  resumes where the old name stopped; the new file has a new head -> a new stream from 0;
- truncated (copytruncate): the file is shorter than the offset, or its head changed -> a
  new stream from 0, and the old stream's checkpoint is replaced;
- compressed after rotation (`app.log.1` -> `app.log.1.gz`): the gzip's decompressed head
  matches the plain file's stream -> it resumes at that stream's offset, so only lines
  written after the last scan are read.

The gzip rule: a gzip file is complete and immutable. It is decompressed from the start
(gzip cannot seek), skipping what its stream already counted, once; afterwards the same
path, inode, size and mtime mean "nothing new" without decompressing it again.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 4096
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Checkpoint:
    stream_id: str
    path: str
    inode: int
    size: int
    is_gzip: bool
    byte_offset: int
    lines_read: int
    head_len: int
    head_hash: str
    mtime_ns: int


@dataclass(frozen=True)
class LogFile:
    path: str
    inode: int
    size: int
    mtime_ns: int
    is_gzip: bool
    head: bytes  # up to HEAD_BYTES of content (decompressed for gzip)


@dataclass(frozen=True)
class Plan:
    """What to read of one file: from `offset` (after `lines_before` lines) of its stream."""

    file: LogFile
    stream_id: str
    offset: int
    lines_before: int
    replaces: str | None  # a stream id whose checkpoint this file's new stream supersedes
    unchanged: bool


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def discover(path: Path) -> list[Path]:
    """Regular files at `path` (a file or a directory, searched recursively), hidden ones not."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such log file or directory")
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def inspect(path: Path) -> LogFile | None:
    """The file's identity and head; None for a gzip file that cannot be read (yet)."""
    stat = path.stat()
    with open(path, "rb") as handle:
        is_gzip = handle.read(2) == _GZIP_MAGIC
        handle.seek(0)
        head = handle.read(HEAD_BYTES)
    if is_gzip:
        try:
            with gzip.open(path, "rb") as stream:
                head = stream.read(HEAD_BYTES)
        except (OSError, EOFError):
            # still being written by logrotate, or corrupt: try again on the next scan
            return None
    return LogFile(str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, is_gzip, head)


def _matches(file: LogFile, checkpoint: Checkpoint) -> bool:
    if checkpoint.head_len == 0 or checkpoint.head_len > len(file.head):
        return False
    if digest(file.head[: checkpoint.head_len]) != checkpoint.head_hash:
        return False
    # a plain file shorter than what was read of it has been truncated and rewritten
    return file.is_gzip or checkpoint.byte_offset <= file.size


def _rank(file: LogFile, checkpoint: Checkpoint) -> tuple[bool, bool, int, int]:
    same_inode = checkpoint.inode == file.inode
    return (
        same_inode and checkpoint.path == file.path,
        same_inode,
        checkpoint.head_len,
        checkpoint.byte_offset,
    )


def new_stream_id(file: LogFile) -> str:
    return digest(f"{file.path}\0{file.inode}\0{digest(file.head)}".encode())[:24]


def plan(file: LogFile, checkpoints: list[Checkpoint]) -> Plan:
    """Where to start reading `file`, given the streams seen so far."""
    candidates = [c for c in checkpoints if _matches(file, c)]
    if candidates:
        best = max(candidates, key=lambda c: _rank(file, c))
        unchanged = (best.path, best.inode, best.size, best.mtime_ns) == (
            file.path,
            file.inode,
            file.size,
            file.mtime_ns,
        ) and (file.is_gzip or best.byte_offset == file.size)
        return Plan(file, best.stream_id, best.byte_offset, best.lines_read, None, unchanged)
    # the same file (path and inode) no longer matches its stream: truncated or rewritten
    replaced = next(
        (c.stream_id for c in checkpoints if c.path == file.path and c.inode == file.inode),
        None,
    )
    return Plan(file, new_stream_id(file), 0, 0, replaced, not file.head)


def advanced(previous: Plan, end_offset: int, end_line: int) -> Checkpoint:
    """The stream's checkpoint once `previous.file` has been read up to `end_offset`."""
    file = previous.file
    return Checkpoint(
        stream_id=previous.stream_id,
        path=file.path,
        inode=file.inode,
        size=file.size,
        is_gzip=file.is_gzip,
        byte_offset=end_offset,
        lines_read=end_line,
        head_len=len(file.head),
        head_hash=digest(file.head),
        mtime_ns=file.mtime_ns,
    )


def order(files: list[LogFile], checkpoints: list[Checkpoint]) -> list[LogFile]:
    """The order to read `files` in, each planned when its turn comes.

    Files that carry on a known stream come first: after copytruncate the copy (`app.log.1`,
    or its `.gz`) holds the stream's lines, while the truncated `app.log` starts a new stream
    that replaces the old one, so the copy must have taken the stream over before. Then plain
    files before gzip ones: a gzip copy of a plain file finds its stream already advanced."""

    def starts_a_stream(file: LogFile) -> bool:
        return not any(_matches(file, c) for c in checkpoints)

    return sorted(files, key=lambda f: (starts_a_stream(f), f.is_gzip, f.path))


def file_signature(path: Path) -> tuple[int, int, int]:
    """(inode, size, mtime_ns): what a sensor can compare to notice new or grown files."""
    stat = os.stat(path)
    return stat.st_ino, stat.st_size, stat.st_mtime_ns
