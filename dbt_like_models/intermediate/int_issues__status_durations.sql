-- Time spent in each status per issue: every visit counts (reopenings included), and the
-- current status runs until the data's as-of time, so open issues age correctly. Besides
-- calendar hours, the working hours of the team calendar: the part of each stay inside the
-- work hours (getvariable ta_work_start/ta_work_end) of a work day (ta_work_days) that is no
-- team holiday, days taken in the session's zone (TA_TIMEZONE, set once per connection).
with visits as (
    select * from {{ ref('int_issues__status_visits') }}
),

holidays as (
    select distinct try_cast(day as date) as day
    from {{ ref('team_holidays') }}
    where try_cast(day as date) is not null
),

as_of as (
    select max(updated_at) as as_of_at
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

stays as (
    select
        visits.issue_id,
        visits.issue_key,
        visits.status,
        visits.status_category,
        visits.is_waiting,
        visits.visit_number,
        visits.entered_at,
        visits.left_at,
        coalesce(visits.left_at, greatest(as_of.as_of_at, visits.entered_at)) as until_at
    from visits
    cross join as_of
),

-- One row per stay and local day it touches; a stay of hours touches one or two. Done
-- statuses are left out: time after a resolution is nobody's work, and those stays last
-- until the as-of day, which would cost a row per ticket and day since.
stay_days as (
    select
        issue_id,
        status,
        visit_number,
        entered_at,
        until_at,
        unnest(generate_series(entered_at::date, until_at::date, interval 1 day))::date as day
    from stays
    where until_at > entered_at and status_category <> 'done'
),

working_windows as (
    select
        stay_days.issue_id,
        stay_days.status,
        greatest(stay_days.entered_at, (stay_days.day + getvariable('ta_work_start'))::timestamptz)
            as window_start,
        least(stay_days.until_at, (stay_days.day + getvariable('ta_work_end'))::timestamptz)
            as window_end
    from stay_days
    left join holidays
        on stay_days.day = holidays.day
    where
        list_contains(getvariable('ta_work_days'), isodow(stay_days.day))
        and holidays.day is null
),

working as (
    select
        issue_id,
        status,
        -- whole microseconds: an integer sum is the same in whatever order threads add it
        sum(epoch_us(window_end) - epoch_us(window_start)) filter (where window_end > window_start)
            as working_us
    from working_windows
    group by issue_id, status
),

calendar_time as (
    select
        issue_id,
        issue_key,
        status,
        status_category,
        is_waiting,
        count(*) as visit_count,
        min(entered_at) as first_entered_at,
        max(entered_at) as last_entered_at,
        bool_or(left_at is null) as is_current,
        sum(epoch_us(until_at) - epoch_us(entered_at)) as calendar_us
    from stays
    group by all
),

final as (
    select
        calendar_time.issue_id,
        calendar_time.issue_key,
        calendar_time.status,
        calendar_time.status_category,
        calendar_time.is_waiting,
        calendar_time.visit_count,
        calendar_time.first_entered_at,
        calendar_time.last_entered_at,
        calendar_time.is_current,
        round(calendar_time.calendar_us / 3.6e9, 6) as hours_in_status,
        case
            when calendar_time.status_category <> 'done'
                then round(coalesce(working.working_us, 0) / 3.6e9, 6)
        end as working_hours_in_status
    from calendar_time
    left join working
        on calendar_time.issue_id = working.issue_id
        and calendar_time.status is not distinct from working.status
)

select * from final
