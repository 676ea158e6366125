with existing as (
    -- only the staged issues: a join on the whole table would hash all of it per load
    select issue_id, updated_at, deleted_at
    from raw.issues
    where issue_id in (select issue_id from staged_issues)
),

final as (
    select
        count(*) filter (where existing.issue_id is null) as inserted,
        count(*) filter (
            where
                latest.updated_at > existing.updated_at
                or (existing.deleted_at is not null and latest.updated_at = existing.updated_at)
        ) as updated,
        count(*) filter (
            where
                latest.updated_at < existing.updated_at
                or (existing.deleted_at is null and latest.updated_at = existing.updated_at)
        ) as unchanged
    -- one staged copy of each issue: the loader keeps only the newest
    from staged_issues as latest
    left join existing
        on latest.issue_id = existing.issue_id
)

select * from final
