"""Marker lines -> typed events or rejects, away from the warehouse.

Both marker styles are first cut into the same shape: per line its `event`, `ts`,
`service`, `value`, `unit`, `status` as text, every other field as (key, value) rows, and a
reason when the line is already known to be broken. Text pairs are cut out with polars'
regex engine over the whole batch (several times faster than DuckDB's for this, and the
dominant cost of a parse); JSON documents are read by DuckDB's JSON reader. Then the tag
guard (drop, hash) runs on the (key, value) rows, and `biz_parse_lines.sql` types and
validates everything in one place.

A `Parser` holds a private in-memory DuckDB connection, so a batch can be parsed in a
thread while the warehouse connection writes the previous one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from ticket_analytics.warehouse.sql_files import load_sql

TEXT_MARKER = "BIZ_METRIC"
KNOWN = ("event", "ts", "service", "value", "unit", "status")
# key=value or key="quoted \"value\"": the quoted form may hold spaces and escaped quotes
PAIR = r'[A-Za-z_][A-Za-z0-9_.-]*=(?:"(?:[^"\\]|\\.)*"|[^\s"]*)'
# every quote closed: anything else means a quoted value was cut off
_BALANCED = r'^(?:[^"\\]|\\.|"(?:[^"\\]|\\.)*")*$'
_KNOWN_PAIR = "^(?:" + "|".join(KNOWN) + ")="
# A text marker line that a JSON logger wrapped: the JSON string holding the marker, and the
# document's time (the message seldom carries one).
_WRAPPED_MESSAGE = r'"((?:[^"\\]|\\.)*' + TEXT_MARKER + r'(?:[^"\\]|\\.)*)"'
# (a time begins with a digit: ISO or epoch, never null)
_DOCUMENT_TIME = r'"(?:@timestamp|timestamp|time|ts)"\s*:\s*"?([0-9][^",}]*)'
_TAGS = pa.map_(pa.string(), pa.string())
# what a parsed batch holds: raw.biz_events' columns, the line (for a reject's sample) and
# the reason a marker line is no event (null for events)
PARSED_SCHEMA = pa.schema(
    [
        ("line_number", pa.int64()),
        ("line", pa.large_string()),
        ("marker_style", pa.large_string()),
        ("event", pa.large_string()),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("ts_from_line", pa.bool_()),
        ("service", pa.large_string()),
        ("value", pa.float64()),
        ("unit", pa.large_string()),
        ("status", pa.large_string()),
        ("tags", _TAGS),
        ("reject_reason", pa.large_string()),
    ]
)
_FLAT = {"idx": pl.UInt32, "key": pl.String, "value": pl.String}


@dataclass(frozen=True)
class TagRules:
    """Tag keys never stored as written: dropped, or replaced by a salted sha256 prefix."""

    hash_keys: tuple[str, ...] = ()
    drop_keys: tuple[str, ...] = ()
    salt: str = ""


def _unquoted(raw: pl.Series) -> pl.Series:
    """A quoted value without its quotes, then its escapes; an unquoted one as written."""
    quoted = raw.str.starts_with('"').fill_null(False)
    if not quoted.any():
        return raw
    value = raw.str.strip_prefix('"').str.strip_suffix('"')
    escaped = quoted & raw.str.contains("\\", literal=True).fill_null(False)
    if escaped.any():
        where = escaped.arg_true()
        value = value.scatter(where, value.gather(where).str.replace_all(r"\\(.)", "${1}"))
    return value


def _with_text(lines: pl.DataFrame) -> pl.DataFrame:
    """`lines` with `text`, what the text parser reads: the line, or for a marker line that a
    JSON logger wrapped (`{"msg": "BIZ_METRIC event=…"}`, after any log prefix), the prefix
    and the message, with the document's time as a last `ts=` (a `ts` of the message's own
    comes first, so it wins). JSON escapes are undone as in quoted values (a `\\uXXXX` loses
    only its backslash). A line is wrapped only when a JSON object starts before the marker
    and runs to the end of the line: `{"span":"s1"} BIZ_METRIC …` is read as written."""
    line = pl.col("line")
    document = line.str.find(r'\{\s*"')
    wrapped = (
        (document < line.str.find(TEXT_MARKER, literal=True))
        & line.str.strip_chars_end().str.ends_with("}")
    ).fill_null(False)
    lines = lines.with_columns(line.alias("text"))
    where = lines.select(wrapped).to_series().arg_true()
    if where.is_empty():
        return lines
    message = line.str.extract(_WRAPPED_MESSAGE, 1).str.replace_all(r"\\(.)", "${1}")
    inner = lines[where].select(
        pl.when(message.is_not_null())
        .then(
            pl.concat_str(
                line.str.slice(0, document),  # a prefix's own time, if the document has none
                message,
                pl.concat_str(pl.lit(' ts="'), line.str.extract(_DOCUMENT_TIME, 1), pl.lit('"')),
                ignore_nulls=True,
            )
        )
        .otherwise(line)
    )
    return lines.with_columns(lines.get_column("text").scatter(where, inner.to_series()))


def _text_fields(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(a row per line with its known fields, an (idx, key, value) row per other field).

    A reader scanning the line takes the first of a repeated key, and so does this.
    """
    line = pl.col("text")
    rest = line.str.slice(line.str.find(TEXT_MARKER, literal=True) + len(TEXT_MARKER))
    rows = lines.select(
        "line_number",
        "line",
        "text",
        rest.str.extract_all(PAIR).alias("pairs"),
        pl.when(rest.str.contains(_BALANCED)).then(None).otherwise(pl.lit("unterminated_quote"))
        .alias("broken"),
    ).with_row_index("idx")  # fmt: skip
    pair = pl.element()
    known = rows.select(
        pl.col("pairs")
        .list.eval(pair.filter(pair.str.starts_with(f"{key}=")))
        .list.first()
        .str.slice(len(key) + 1)
        .alias(key)
        for key in KNOWN
    )
    others = rows.select(
        "idx", pl.col("pairs").list.eval(pair.filter(~pair.str.contains(_KNOWN_PAIR)))
    )
    flat = (
        others.explode("pairs")
        .drop_nulls("pairs")
        .select("idx", pl.col("pairs").str.splitn("=", 2).alias("kv"))
        .unnest("kv")
        .rename({"field_0": "key", "field_1": "value"})
    )
    # keys are few, so (line, key code) is one integer and the test a hash of integers
    code = pl.col("idx").cast(pl.UInt64) * 2**32 + pl.col("key").cast(pl.Categorical).to_physical()
    flat = flat.filter(code.is_first_distinct())
    known = known.with_columns(_unquoted(known.get_column(key)) for key in KNOWN)
    flat = flat.with_columns(_unquoted(flat.get_column("value")))
    return pl.concat([rows.drop("pairs"), known], how="horizontal"), flat


def _flatten(maps: pa.ChunkedArray) -> pl.DataFrame:
    """(idx, key, value) rows of a column of maps, idx being the map's row."""
    array = maps.combine_chunks()
    assert isinstance(array, pa.MapArray)
    offsets = array.offsets.to_numpy()
    idx = np.repeat(np.arange(len(array), dtype=np.uint32), np.diff(offsets))
    start, stop = int(offsets[0]), int(offsets[-1])
    return pl.DataFrame(
        {
            "idx": idx,
            "key": array.keys.slice(start, stop - start),
            "value": array.items.slice(start, stop - start),
        },
        schema=_FLAT,
    )


def _digest(salt: str, value: str) -> str:
    return "sha256:" + hashlib.sha256((salt + value).encode()).hexdigest()[:16]


def _guarded(flat: pl.DataFrame, rules: TagRules) -> pl.DataFrame:
    tags = flat.filter(~pl.col("key").is_in([*KNOWN, *rules.drop_keys]))
    hashed = pl.col("key").is_in(list(rules.hash_keys))
    # one digest per distinct value, not per event: a user id repeats across many events
    distinct = tags.filter(hashed).get_column("value").unique().drop_nulls()
    if distinct.is_empty():
        return tags
    digests = pl.Series([_digest(rules.salt, value) for value in distinct.to_list()])
    value = pl.col("value")
    return tags.with_columns(
        pl.when(hashed).then(value.replace(distinct, digests)).otherwise(value).alias("value")
    )


def _with_known(rows: pl.DataFrame, flat: pl.DataFrame) -> pl.DataFrame:
    for key in KNOWN:
        named = flat.filter(pl.col("key") == key).select("idx", pl.col("value").alias(key))
        rows = rows.join(named, on="idx", how="left", maintain_order="left")
    return rows


def _tags(flat: pl.DataFrame, count: int) -> pa.MapArray:
    """One map per row from (idx, key, value) rows sorted by idx."""
    lengths = np.bincount(flat.get_column("idx").to_numpy(), minlength=count)
    offsets = np.zeros(count + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.MapArray.from_arrays(
        pa.array(offsets),
        flat.get_column("key").to_arrow().cast(pa.string()),
        flat.get_column("value").to_arrow().cast(pa.string()),
        type=_TAGS,
    )


class Parser:
    """Turns batches of marker lines (`line_number`, `line`) into typed rows."""

    def __init__(self, rules: TagRules) -> None:
        self._rules = rules
        self._conn = duckdb.connect()
        self._conn.execute("set TimeZone = 'UTC'")
        self._json_sql = load_sql("biz_json_fields")
        self._typed_sql = load_sql("biz_parse_lines")

    def close(self) -> None:
        self._conn.close()

    def _json_fields(self, lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        self._conn.register("biz_json_lines", lines.select("line").with_row_index("idx"))
        try:
            parsed = self._conn.sql(self._json_sql).to_arrow_table()
        finally:
            self._conn.unregister("biz_json_lines")
        found = pl.from_arrow(parsed.drop(["biz"]))
        assert isinstance(found, pl.DataFrame)
        rows = (
            lines.select("line_number", "line")
            .with_row_index("idx")
            .join(found, on="idx", how="left", maintain_order="left")
        )
        return rows, _flatten(parsed.column("biz"))

    def parse(self, lines: pa.Table) -> pa.Table:
        """PARSED_SCHEMA rows, one per marker line of `lines` (LINES_SCHEMA).

        A line mentioning `"biz"` without a colon after it is not a marker line: dropped.
        """
        frame = pl.from_arrow(lines)
        assert isinstance(frame, pl.DataFrame)
        # A line with the text marker is a text line, unless it is a JSON document with a
        # "biz" member (an object from before the marker to the end of the line) that names
        # the marker in a string.
        line = pl.col("line")
        marker, brace = line.str.find(TEXT_MARKER, literal=True), line.str.find("{", literal=True)
        has_biz = line.str.contains(r'"biz"\s*:')
        document = has_biz & (brace < marker) & line.str.strip_chars_end().str.ends_with("}")
        is_text = marker.is_not_null() & ~document.fill_null(False)
        is_json = has_biz & ~is_text
        text_rows, text_flat = _text_fields(_with_text(frame.filter(is_text)))
        json_rows, json_flat = self._json_fields(frame.filter(is_json))
        text_rows = text_rows.with_columns(pl.lit("text").alias("marker_style"))
        json_rows = _with_known(json_rows, json_flat).with_columns(
            pl.lit("json").alias("marker_style"),
            pl.coalesce("ts", "document_ts").alias("ts"),
            pl.coalesce("service", "document_service").alias("service"),
        )
        json_rows = json_rows.with_columns(pl.col("line").alias("text"))
        columns = ["line_number", "line", "text", "broken", "marker_style", *KNOWN]
        rows = pl.concat([text_rows.select(columns), json_rows.select(columns)]).with_columns(
            pl.when(pl.col(key) != "").then(pl.col(key)).alias(key) for key in KNOWN
        )
        offset = text_rows.height
        flat = pl.concat([text_flat, json_flat.with_columns(pl.col("idx") + offset)])
        self._conn.register(
            "biz_fields",
            rows.select(
                pl.col("text").alias("line"), "broken", "event", "ts", "value"
            ).with_row_index("idx"),
        )
        try:
            typed = self._conn.sql(self._typed_sql).to_arrow_table()
        finally:
            self._conn.unregister("biz_fields")
        # DuckDB keeps the input's order (preserve_insertion_order); this makes sure of it
        if not np.array_equal(typed.column("idx").to_numpy(), np.arange(rows.height)):
            raise RuntimeError("biz_parse_lines.sql changed the order of the lines")
        table = rows.select(
            "line_number", "line", "marker_style", "event", "service", "unit", "status"
        ).to_arrow()
        for name in ("ts", "value", "ts_from_line", "reject_reason"):
            table = table.append_column(name, typed.column(name))
        table = table.append_column("tags", _tags(_guarded(flat, self._rules), rows.height))
        return table.select(PARSED_SCHEMA.names).cast(PARSED_SCHEMA)
