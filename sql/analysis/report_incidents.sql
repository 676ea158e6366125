-- The month's incidents per service, most first.
with trends as (
    select * from fct_incident_trends
    where month = $month
),

final as (
    select
        service_name,
        incident_count,
        repeat_count,
        median_time_to_resolve_hours,
        example_issue_keys
    from trends
)

select * from final
order by incident_count desc, repeat_count desc, service_name
limit $limit
