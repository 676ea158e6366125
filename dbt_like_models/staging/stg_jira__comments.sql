with comments as (
    select * from {{ source('raw', 'comments') }}
),

final as (
    select
        issue_id || ':' || comment_id as comment_key,
        issue_id,
        comment_id,
        coalesce(parsed.author.accountId, parsed.author.key, parsed.author.name) as author_id,
        parsed.author.displayName as author_name,
        coalesce(body_text, '') as body_text,
        coalesce(parsed.jsdPublic, true) as is_public,
        created_at,
        updated_at
    from comments
)

select * from final
