insert into meta.log_checkpoints (
    stream_id, path, inode, size, is_gzip, byte_offset, lines_read, head_len, head_hash,
    mtime_ns, updated_at
)
values (
    $stream_id, $path, $inode, $size, $is_gzip, $byte_offset, $lines_read, $head_len, $head_hash,
    $mtime_ns, $updated_at
)
on conflict (stream_id) do update set
    path = excluded.path,
    inode = excluded.inode,
    size = excluded.size,
    is_gzip = excluded.is_gzip,
    byte_offset = excluded.byte_offset,
    lines_read = excluded.lines_read,
    head_len = excluded.head_len,
    head_hash = excluded.head_hash,
    mtime_ns = excluded.mtime_ns,
    updated_at = excluded.updated_at
