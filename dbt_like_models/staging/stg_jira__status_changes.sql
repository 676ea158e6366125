with changelog as (
    select * from {{ source('raw', 'changelog') }}
),

issues as (
    select issue_id, issue_key from {{ ref('stg_jira__issues') }}
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
        item.toString as to_status,
        item_index
    from items
    where lower(item.field) = 'status'
),

final as (
    select
        status_items.issue_id || ':' || status_items.history_id || ':' || status_items.item_index
            as status_change_id,
        status_items.issue_id,
        issues.issue_key,
        status_items.history_id,
        status_items.changed_at,
        status_items.from_status,
        status_items.to_status,
        status_items.author_id,
        status_items.author_name
    from status_items
    left join issues
        on status_items.issue_id = issues.issue_id
)

select * from final
