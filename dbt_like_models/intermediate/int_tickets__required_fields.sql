-- One row per ticket x required field of its category (from the catalog), with whether the
-- ticket's text names the field (its Korean or English label, or its id).
with tickets as (
    select issue_id, issue_key, category from {{ ref('fct_tickets') }}
),

issues as (
    select issue_id, lower(summary || ' ' || description_text) as text
    from {{ ref('stg_jira__issues') }}
),

required_fields as (
    select * from {{ source('catalog', 'required_fields') }}
),

final as (
    select
        tickets.issue_id,
        tickets.issue_key,
        tickets.category,
        required_fields.field_id,
        required_fields.field_rank,
        contains(issues.text, lower(required_fields.label_ko))
            or contains(issues.text, lower(required_fields.label_en))
            or contains(issues.text, required_fields.field_id) as is_present
    from tickets
    inner join issues
        on tickets.issue_id = issues.issue_id
    inner join required_fields
        on tickets.category = required_fields.category_id
)

select * from final
