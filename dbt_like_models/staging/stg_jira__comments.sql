with comments as (
    select * from {{ source('raw', 'comments') }}
),

issues as (
    select issue_id, issue_key from {{ ref('stg_jira__issues') }}
),

-- each payload is parsed once into what the model reads
parsed as (
    select
        comments.*,
        from_json(
            payload,
            '{"author": {"accountId": "VARCHAR", "key": "VARCHAR", "name": "VARCHAR", "displayName": "VARCHAR"},
              "jsdPublic": "BOOLEAN"}'
        ) as c
    from comments
),

final as (
    select
        parsed.issue_id || ':' || parsed.comment_id as comment_key,
        parsed.issue_id,
        issues.issue_key,
        parsed.comment_id,
        coalesce(parsed.c.author.accountId, parsed.c.author.key, parsed.c.author.name) as author_id,
        parsed.c.author.displayName as author_name,
        coalesce(parsed.body_text, '') as body_text,
        coalesce(parsed.c.jsdPublic, true) as is_public,
        parsed.created_at,
        parsed.updated_at
    from parsed
    left join issues
        on parsed.issue_id = issues.issue_id
)

select * from final
