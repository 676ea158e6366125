"""Find marker lines in big blocks of log bytes, without a Python step per log line.

A block is searched with `bytes.find` for each marker (C speed, memchr-like); Python only
runs once per *marker* line, to cut it out and number it. Line numbers come from
`bytes.count(b"\\n")` over the stretches between marker lines, so the whole block is touched
by C loops only. Non-marker lines cost a byte scan and nothing else.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa

# `"biz"` catches the JSON style; the parser checks that a colon follows (a line that only
# mentions the word is then dropped there, not rejected).
MARKERS = (b"BIZ_METRIC", b'"biz"')
BLOCK_BYTES = 8 * 1024 * 1024
# Events and the checkpoint commit together once per this many bytes of log: a crash loses
# at most one batch of work, never counts a line twice, and memory stays flat.
BATCH_BYTES = 64 * 1024 * 1024
LINES_SCHEMA = pa.schema([("line_number", pa.int64()), ("line", pa.string())])


@dataclass(frozen=True)
class Batch:
    """Marker lines of one stretch of a file, and where the stretch ends."""

    lines: pa.Table  # LINES_SCHEMA
    end_offset: int  # bytes of content consumed (decompressed, for gzip) after this batch
    end_line: int  # lines consumed after this batch
    bytes_read: int
    lines_read: int


def marker_lines(block: bytes, first_line: int) -> tuple[list[int], list[bytes]]:
    """Numbers and bytes of the lines of `block` holding a marker; line 1 is `first_line`.

    `block` holds whole lines only (it ends with a newline or at the end of the content).
    """
    ends: dict[int, int] = {}
    find, rfind = block.find, block.rfind
    size = len(block)
    for needle in MARKERS:
        pos = find(needle)
        while pos != -1:
            start = rfind(b"\n", 0, pos) + 1
            end = find(b"\n", pos)
            if end == -1:
                end = size
            ends[start] = end
            pos = find(needle, end)
    numbers: list[int] = []
    lines: list[bytes] = []
    count, line, previous = block.count, first_line, 0
    for start in sorted(ends):
        line += count(b"\n", previous, start)
        previous = start
        numbers.append(line)
        lines.append(block[start : ends[start]])
    return numbers, lines


def _table(numbers: list[int], lines: list[bytes]) -> pa.Table:
    # One decode for the whole batch instead of one per line; bad bytes become U+FFFD so a
    # mangled line is still parsed (or rejected with a sample) rather than failing the file.
    text = b"\n".join(lines).decode("utf-8", "replace").split("\n") if lines else []
    return pa.table(
        [pa.array(numbers, pa.int64()), pa.array(text, pa.string())], schema=LINES_SCHEMA
    )


def _skip(stream: BinaryIO, offset: int) -> int:
    """Read past `offset` bytes of a stream that cannot seek cheaply; returns bytes skipped."""
    skipped = 0
    while skipped < offset:
        chunk = stream.read(min(BLOCK_BYTES, offset - skipped))
        if not chunk:
            break
        skipped += len(chunk)
    return skipped


def scan(
    path: str,
    *,
    is_gzip: bool,
    offset: int,
    lines_before: int,
    block_bytes: int = BLOCK_BYTES,
    batch_bytes: int = BATCH_BYTES,
) -> Iterator[Batch]:
    """Batches of marker lines from `offset` (content bytes) to the last complete line.

    A plain file may still be written to: an unterminated last line is left for the next
    scan. A gzip file is complete by definition, so its last line counts even without a
    newline. At least one batch comes out, so the checkpoint records every file looked at.
    """
    opener = gzip.open if is_gzip else open
    with opener(path, "rb") as raw:
        stream: BinaryIO = raw  # type: ignore[assignment]
        if is_gzip:
            # content shorter than what its stream already counted: nothing new in it
            if _skip(stream, offset) < offset:
                yield Batch(_table([], []), offset, lines_before, 0, 0)
                return
        else:
            stream.seek(offset)
        line = lines_before
        carry = b""
        numbers: list[int] = []
        lines: list[bytes] = []
        batch_start_offset, batch_start_line = offset, line
        yielded = False
        while True:
            chunk = stream.read(block_bytes)
            at_end = not chunk
            data = carry + chunk
            cut = len(data) if at_end and is_gzip else data.rfind(b"\n") + 1
            block, carry = data[:cut], data[cut:]
            if block:
                found_numbers, found_lines = marker_lines(block, line + 1)
                numbers += found_numbers
                lines += found_lines
                offset += len(block)
                line += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
            if (
                offset - batch_start_offset >= batch_bytes
                or (at_end and not yielded)
                or (at_end and offset > batch_start_offset)
            ):
                yield Batch(
                    _table(numbers, lines),
                    end_offset=offset,
                    end_line=line,
                    bytes_read=offset - batch_start_offset,
                    lines_read=line - batch_start_line,
                )
                numbers, lines = [], []
                yielded = True
                batch_start_offset, batch_start_line = offset, line
            if at_end:
                return
