-- Effort as Jira records it, for toil hours: `timespent` (seconds logged, all worklogs),
-- `timeoriginalestimate`, and the worklogs embedded in the issue (Jira embeds the first 20;
-- `total` says whether that is all of them). They join the members parsed at landing, so the
-- loads fill them without another pass over the JSON; rows landed before are parsed again once.
create or replace macro raw.parse_issue(payload) as from_json(
    payload,
    '{"fields": {
        "summary": "VARCHAR",
        "issuetype": {"name": "VARCHAR"},
        "status": {"name": "VARCHAR", "statusCategory": {"key": "VARCHAR"}},
        "priority": {"name": "VARCHAR"},
        "resolution": {"name": "VARCHAR"},
        "reporter": {"accountId": "VARCHAR", "key": "VARCHAR", "name": "VARCHAR", "displayName": "VARCHAR"},
        "assignee": {"accountId": "VARCHAR", "key": "VARCHAR", "name": "VARCHAR", "displayName": "VARCHAR"},
        "labels": ["VARCHAR"],
        "components": [{"name": "VARCHAR"}],
        "timespent": "BIGINT",
        "timeoriginalestimate": "BIGINT",
        "worklog": {
            "total": "BIGINT",
            "worklogs": [{
                "author": {"accountId": "VARCHAR", "key": "VARCHAR", "name": "VARCHAR"},
                "started": "VARCHAR",
                "timeSpentSeconds": "BIGINT"
            }]
        }
    }}'
).fields;

alter table raw.issues alter column parsed set data type struct(
    summary varchar,
    issuetype struct(name varchar),
    status struct(name varchar, statusCategory struct("key" varchar)),
    priority struct(name varchar),
    resolution struct(name varchar),
    reporter struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
    assignee struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
    labels varchar[],
    components struct(name varchar)[],
    timespent bigint,
    timeoriginalestimate bigint,
    worklog struct(
        total bigint,
        worklogs struct(
            author struct(accountId varchar, "key" varchar, name varchar),
            started varchar,
            timeSpentSeconds bigint
        )[]
    )
) using raw.parse_issue(payload);

-- The Jira user's profile zone, recorded by a sync: the team's zone when TA_TIMEZONE is unset.
alter table meta.jira_sync_state add column time_zone varchar;
