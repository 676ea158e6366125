-- Incidents per service and month: how many, how fast they were resolved, and how many
-- repeated an incident of the same service within 30 days. Partitioned by month, built for
-- the months from $month_start up to $month_end (months in the team's zone, the session
-- TimeZone); repeats look back across months.
with tickets as (
    select * from {{ ref('fct_tickets') }}
    where category = 'incident' or lower(issue_type) = 'incident'
),

issues as (
    select issue_id, description_text from {{ ref('stg_jira__issues') }}
),

incidents as (
    select
        tickets.issue_key,
        tickets.priority,
        tickets.created_at,
        tickets.lead_time_hours,
        coalesce(
            nullif(
                regexp_extract(
                    issues.description_text,
                    '(?i)(서비스명|service name|service)\s*[:：]\s*([A-Za-z0-9._-]+)',
                    2
                ),
                ''
            ),
            tickets.components[1],
            'unknown'
        ) as service_name
    from tickets
    inner join issues
        on tickets.issue_id = issues.issue_id
),

sequenced as (
    select
        *,
        lag(created_at) over (partition by service_name order by created_at, issue_key)
            as previous_incident_at
    from incidents
),

final as (
    select
        strftime(created_at, '%Y-%m') as month,
        service_name,
        count(*) as incident_count,
        count(lead_time_hours) as resolved_count,
        median(lead_time_hours) as median_time_to_resolve_hours,
        max(lead_time_hours) as max_time_to_resolve_hours,
        -- incidents with no known service are not repeats of each other
        count(*) filter (
            where service_name <> 'unknown' and created_at - previous_incident_at <= interval 30 day
        ) as repeat_count,
        count(*) filter (where priority in ('Highest', 'High')) as high_priority_count,
        (list(issue_key order by created_at, issue_key))[1:5] as example_issue_keys
    from sequenced
    where created_at >= $month_start::timestamptz
        and created_at < $month_end::timestamptz
    group by month, service_name
)

select * from final
