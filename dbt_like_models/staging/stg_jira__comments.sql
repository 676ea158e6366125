with comments as (
    select * from {{ source('raw', 'comments') }}
),

issues as (
    select issue_id, issue_key from {{ ref('stg_jira__issues') }}
),

final as (
    select
        comments.issue_id || ':' || comments.comment_id as comment_key,
        comments.issue_id,
        issues.issue_key,
        comments.comment_id,
        coalesce(
            comments.parsed.author.accountId, comments.parsed.author.key, comments.parsed.author.name
        ) as author_id,
        comments.parsed.author.displayName as author_name,
        coalesce(comments.body_text, '') as body_text,
        coalesce(comments.parsed.jsdPublic, true) as is_public,
        comments.created_at,
        comments.updated_at
    from comments
    left join issues
        on comments.issue_id = issues.issue_id
)

select * from final
