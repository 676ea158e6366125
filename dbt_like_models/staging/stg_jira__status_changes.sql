-- One view over one source, as staging models are: no joins, so a model reading a few
-- columns reads only those (issue keys come from stg_jira__issues).
with changelog as (
    select * from {{ source('raw', 'changelog') }}
),

items as (
    select
        issue_id,
        history_id,
        created_at as changed_at,
        coalesce(parsed.author.accountId, parsed.author.key, parsed.author.name) as author_id,
        parsed.author.displayName as author_name,
        unnest(parsed.items) as item,
        -- zips with the unnest above: the item's position in its history
        unnest(range(1, len(parsed.items) + 1)) as item_index
    from changelog
),

status_items as (
    select
        issue_id,
        history_id,
        changed_at,
        author_id,
        author_name,
        item.fromString as from_status,
        -- as for an issue's own status: a status Jira does not name is '(unknown)'
        coalesce(item.toString, '(unknown)') as to_status,
        item_index
    from items
    where lower(item.field) = 'status'
),

final as (
    select
        issue_id || ':' || history_id || ':' || item_index as status_change_id,
        issue_id,
        history_id,
        changed_at,
        from_status,
        to_status,
        author_id,
        author_name
    from status_items
)

select * from final
