-- Each ticket's summary reduced to its request template: ids, numbers, versions, people,
-- environments and links replaced by placeholders, so "S3 버킷 생성 요청 - pay-api-prod" and
-- "S3 버킷 생성 요청 - order-api-dev" become the same request.
with tickets as (
    select issue_id, issue_key, category, summary, components, reporter_name, assignee_name, created_at
    from {{ ref('fct_tickets') }}
),

people as (
    select list(distinct token) as tokens
    from (
        select unnest(string_split(lower(reporter_name), ' ')) as token from tickets
        union all
        select unnest(string_split(lower(assignee_name), ' ')) from tickets
    )
    where length(token) >= 3
),

masked as (
    select
        tickets.issue_id,
        regexp_replace(
            regexp_replace(
                regexp_replace(lower(tickets.summary), 'https?://\S+|\S+@\S+', ' <link> ', 'g'),
                '\bv?[0-9]+(\.[0-9]+)+\S*', ' <version> ', 'g'
            ),
            '[가-힣]{2,4}님', ' <person> ', 'g'
        ) as text,
        people.tokens as people_tokens
    from tickets
    cross join people
),

tokenized as (
    select
        issue_id,
        -- a run of the same placeholder ("<id> <id>") is one placeholder
        list_filter(
            tokens,
            lambda token, i: token <> '' and (i = 1 or token <> tokens[i - 1] or token not like '<%>')
        ) as tokens
    from (
        select
            issue_id,
            list_transform(
                string_split_regex(trim(text), '\s+'),
                lambda token: case
                    when token like '<%>' then token
                    when regexp_matches(token, '^[[:punct:]]+$') then ''
                    when regexp_matches(
                        token,
                        '^[[(]?(production|prod|prd|staging|stage|stg|develop|dev|qa|uat|sandbox)[])]?$|^(운영|개발|스테이징|검증)'
                    ) then '<env>'
                    when list_contains(people_tokens, token) then '<person>'
                    when regexp_matches(token, '^[0-9]+$') then '<n>'
                    when regexp_matches(token, '[_./:-]')
                        or (regexp_matches(token, '[0-9]') and length(token) > 3) then '<id>'
                    else token
                end
            ) as tokens
        from masked
    )
),

final as (
    select
        tickets.issue_id,
        tickets.issue_key,
        tickets.category,
        coalesce(tickets.components[1], '(none)') as component,
        array_to_string(tokenized.tokens, ' ') as request_template,
        tickets.created_at
    from tickets
    inner join tokenized
        on tickets.issue_id = tokenized.issue_id
)

select * from final
