-- Tickets whose analysis is missing or stale: new, changed (summary, description, type,
-- components or labels, compared by hash), or analysed by other rules or another catalog.
with issues as (
    select
        issue_id,
        issue_key,
        summary,
        description_text,
        issue_type,
        labels,
        components,
        reporter_name,
        created_at,
        updated_at,
        md5(concat_ws(
            chr(31),
            summary,
            description_text,
            issue_type,
            array_to_string(labels, chr(30)),
            array_to_string(components, chr(30))
        )) as input_hash
    from main.stg_jira__issues
    where not is_deleted
),

analysed as (
    select issue_id, input_hash, analyzer_hash from raw.triage_analyses
),

final as (
    select issues.*
    from issues
    left join analysed
        on issues.issue_id = analysed.issue_id
    where analysed.issue_id is null
        or analysed.input_hash <> issues.input_hash
        or analysed.analyzer_hash <> $analyzer_hash
)

select * from final
order by issue_id
