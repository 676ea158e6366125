"""Arrow arrays built from their buffers, never with `pa.array`.

`pa.array` asks pandas whether its input is a pandas object, and so imports pandas (~30 MB
of a sync's resident memory) in every process that stages rows, though no pandas object is
ever staged. Building the buffers ourselves costs about what `pa.array` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# A text array's offsets are 32-bit.
_MAX_TEXT_BYTES = 2**31 - 1


def int64s(values: np.ndarray) -> pa.Array:
    """A non-null int64 array of `values`."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def timestamps(values: Sequence[datetime | None]) -> pa.Array:
    """Aware datetimes (or None) as UTC microseconds."""
    micros = np.fromiter(
        (0 if v is None else (v - _EPOCH) // _MICROSECOND for v in values), np.int64, len(values)
    )
    return pa.Array.from_buffers(TIMESTAMP, len(values), [_validity(values), pa.py_buffer(micros)])


def strings(values: Sequence[str | None]) -> pa.Array | pa.ChunkedArray:
    """A text array of `values` (None is null)."""
    try:
        encoded = [b"" if v is None else v.encode() for v in values]
    except AttributeError:
        odd = next(v for v in values if not isinstance(v, str | None))
        raise TypeError(f"a text column got {type(odd).__name__} {odd!r:.80}") from None
    return _texts(encoded, _validity(values), pa.string(), validate=False)  # str.encode makes UTF-8


def utf8_texts(values: Sequence[bytes], dtype: pa.DataType) -> pa.Array | pa.ChunkedArray:
    """UTF-8 `values` as a text array of `dtype` (a string type, or an extension of it),
    checked to be UTF-8 as `pa.array` would."""
    return _texts(values, None, dtype, validate=True)


def _validity(values: Sequence[object | None]) -> pa.Buffer | None:
    if None not in values:
        return None
    valid = np.fromiter((v is not None for v in values), np.bool_, len(values))
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def _texts(
    values: Sequence[bytes], validity: pa.Buffer | None, dtype: pa.DataType, *, validate: bool
) -> pa.Array | pa.ChunkedArray:
    lengths = np.fromiter(map(len, values), np.int64, len(values))
    ends = np.cumsum(lengths)
    if len(values) and ends[-1] > _MAX_TEXT_BYTES:
        if len(values) == 1:
            raise ValueError(f"a text of {ends[-1]:,} bytes: Arrow's limit is 2 GiB")
        return _chunked(values, validity, dtype, ends, validate=validate)
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    offsets[1:] = ends
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(values))]
    text = pa.Array.from_buffers(pa.string(), len(values), buffers)
    if validate:
        text.validate(full=True)
    return text if dtype == pa.string() else pa.ExtensionArray.from_storage(dtype, text)


def _chunked(
    values: Sequence[bytes],
    validity: pa.Buffer | None,
    dtype: pa.DataType,
    ends: np.ndarray,
    *,
    validate: bool,
) -> pa.ChunkedArray:
    """Texts whose bytes overflow one array's offsets, as arrays that each fit."""
    valid = np.ones(len(values), np.bool_)
    if validity is not None:
        bits = np.frombuffer(validity, np.uint8)
        valid = np.unpackbits(bits, count=len(values), bitorder="little").astype(np.bool_)
    chunks, start, base = [], 0, 0
    while start < len(values):
        stop = max(start + 1, int(np.searchsorted(ends, base + _MAX_TEXT_BYTES, "right")))
        part = values[start:stop]
        part_validity = None
        if not valid[start:stop].all():
            part_validity = pa.py_buffer(np.packbits(valid[start:stop], bitorder="little"))
        chunks.append(_texts(part, part_validity, dtype, validate=validate))
        base, start = int(ends[stop - 1]), stop
    return pa.chunked_array(chunks, type=dtype)
