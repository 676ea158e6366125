-- Hours where a business or infra series left its normal range, each pointing at the
-- nearest incident ticket. Normal is the same hour of day over the previous 7 days (mean and
-- spread, which keeps daily seasonality out of the alarm) and the same hour last week.
-- Flagged when |z| >= 3 against that baseline, the value is at least 50% off the baseline
-- (a small series' z alone flags noise), a count series has 10+ events in the hour or its
-- baseline, and, where last week is known, the value also moved 30%+ against it. The spread
-- is floored (10% of the mean; Poisson's sqrt for counts) so a quiet series cannot divide
-- by almost nothing. The nearest incident is searched within 12 hours.
with series as (
    select * from {{ ref('int_biz__hourly_series') }}
),

incidents as (
    select issue_key, summary, priority, created_at from {{ ref('fct_tickets') }}
    where category = 'incident'
),

baselines as (
    select
        *,
        avg(value) over same_hour_last_7_days as baseline_avg,
        stddev_samp(value) over same_hour_last_7_days as baseline_stddev,
        count(value) over same_hour_last_7_days as baseline_points,
        lag(value, 168) over (partition by series order by hour) as last_week_value
    from series
    window same_hour_last_7_days as (
        partition by series, hour(hour)
        order by hour
        rows between 7 preceding and 1 preceding
    )
),

scored as (
    select
        *,
        (value - baseline_avg)
            / greatest(
                baseline_stddev,
                0.1 * abs(baseline_avg),
                case when is_count then sqrt(greatest(baseline_avg, 1)) else 0 end,
                1e-9
            ) as z_score,
        value / nullif(last_week_value, 0) - 1 as change_vs_last_week
    from baselines
    where value is not null
        and baseline_points >= 3
),

flagged as (
    select
        *,
        case when z_score > 0 then 'spike' else 'dip' end as direction
    from scored
    where abs(z_score) >= 3
        and abs(value - baseline_avg) >= 0.5 * abs(baseline_avg)
        and (not is_count or greatest(value, baseline_avg) >= 10)
        and (last_week_value is null or abs(coalesce(change_vs_last_week, 1)) >= 0.3)
),

nearest as (
    select
        flagged.hour,
        flagged.series,
        incidents.issue_key,
        incidents.summary,
        incidents.created_at,
        epoch(incidents.created_at - flagged.hour) / 3600.0 as hours_from_incident
    from flagged
    inner join incidents
        on incidents.created_at between flagged.hour - interval 12 hour
        and flagged.hour + interval 13 hour
    qualify row_number() over (
        partition by flagged.hour, flagged.series
        order by abs(epoch(incidents.created_at - flagged.hour)), incidents.issue_key
    ) = 1
),

final as (
    select
        flagged.series || '@' || strftime(flagged.hour, '%Y-%m-%dT%H') as anomaly_id,
        flagged.hour,
        flagged.series_kind,
        flagged.series,
        flagged.direction,
        flagged.value,
        flagged.baseline_avg,
        flagged.baseline_stddev,
        flagged.z_score,
        flagged.last_week_value,
        flagged.change_vs_last_week,
        nearest.issue_key as incident_issue_key,
        nearest.summary as incident_summary,
        nearest.created_at as incident_created_at,
        nearest.hours_from_incident
    from flagged
    left join nearest
        on flagged.hour = nearest.hour
        and flagged.series = nearest.series
)

select * from final
