-- Business events from application logs, infrastructure metrics, and the per-file
-- checkpoints that make log ingestion incremental. Events carry where they came from
-- (file, stream, line) so a count can always be traced back to the line that made it.
create schema if not exists raw;
create schema if not exists meta;

-- No key index: events arrive in millions and an index slowed bulk appends (see 0006);
-- the checkpoint, committed in the same transaction, is what keeps a line from landing twice.
create table raw.biz_events (
    event varchar not null,
    ts timestamptz not null,
    service varchar,
    value double,
    unit varchar,
    status varchar,
    tags map(varchar, varchar),
    marker_style varchar not null,
    ts_from_line boolean not null,
    stream_id varchar not null,
    source_file varchar not null,
    line_number bigint not null,
    ingested_at timestamptz not null
);

-- Marker lines that could not become events: counted and kept with a sample, never dropped.
create table raw.biz_event_rejects (
    reason varchar not null,
    source_file varchar not null,
    line_number bigint not null,
    stream_id varchar not null,
    sample varchar,
    rejected_at timestamptz not null
);

-- labels is the series' other labels as canonical JSON ('' when none), part of the key so
-- two series of one metric on one host (cpu mode=user / mode=system) stay apart.
create table raw.infra_metrics (
    ts timestamptz not null,
    host varchar not null,
    metric varchar not null,
    labels varchar not null,
    value double,
    source varchar not null,
    ingested_at timestamptz not null,
    primary key (metric, host, labels, ts)
);

-- One row per content stream (a log file followed across renames, rotations and
-- compression). head_hash is the sha256 of the first head_len bytes of the content
-- (decompressed for gzip): how a renamed or compressed copy is recognised.
create table meta.log_checkpoints (
    stream_id varchar primary key,
    path varchar not null,
    inode bigint not null,
    size bigint not null,
    is_gzip boolean not null,
    byte_offset bigint not null,
    lines_read bigint not null,
    head_len integer not null,
    head_hash varchar not null,
    mtime_ns bigint not null,
    updated_at timestamptz not null
);

-- Tag keys whose distinct values per hour exceeded the limit: kept in raw.biz_events.tags,
-- left out of metric dimensions (each distinct value would become a custom metric series).
create table meta.biz_tag_cardinality (
    tag_key varchar primary key,
    max_distinct_per_hour bigint not null,
    is_dimension boolean not null,
    checked_at timestamptz not null
);
