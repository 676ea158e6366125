-- Every status name seen, with its category. Jira gives the category only for an issue's
-- current status (and old servers not at all), so names never seen as current are inferred.
with issues as (
    select status, status_category from {{ ref('stg_jira__issues') }}
),

changes as (
    select from_status, to_status from {{ ref('stg_jira__status_changes') }}
),

observed as (
    select
        status,
        arg_max(status_category, issue_count) as status_category
    from (
        select status, status_category, count(*) as issue_count
        from issues
        -- Jira's own three, or 'unknown': "No Category" (key `undefined`) or a key Jira adds
        -- is inferred from the name below, as a category never sent is (staging warns)
        where status is not null and status_category in ('new', 'indeterminate', 'done', 'unknown')
        group by status, status_category
    )
    group by status
),

names as (
    select status from issues where status is not null
    union
    select from_status from changes where from_status is not null
    union
    select to_status from changes where to_status is not null
),

final as (
    select
        names.status,
        coalesce(
            observed.status_category,
            case
                when regexp_matches(lower(names.status), 'done|closed|resolved|complete|cancel|rejected|완료|종료|해결|취소')
                    then 'done'
                when regexp_matches(lower(names.status), '^(open|new|to do|todo|backlog|reopened|신규|접수|열림)$')
                    then 'new'
                else 'indeterminate'
            end
        ) as status_category,
        -- waiting for the *requester* only: JSM's "Waiting for support" is the team's turn
        regexp_matches(
            lower(names.status),
            'waiting (for|on) (the )?(customer|requester|reporter|user|info)|awaiting (customer|requester|info)'
            || '|need(s)? (more )?info|info(rmation)? requested|고객.*대기|요청자.*대기|답변 대기|정보 요청|추가 정보'
        ) as is_waiting
    from names
    left join observed
        on names.status = observed.status
)

select * from final
