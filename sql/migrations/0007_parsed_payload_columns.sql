-- The payload members the staging models read are parsed once, when a row lands, into a
-- typed `parsed` column. Parsing JSON was most of a full model rebuild (12.5M histories take
-- seconds to parse every time); now the staging models are views over typed columns and a
-- rebuild never parses JSON again. The payload stays as Jira gave it, custom fields included.
-- from_json makes a value of an unexpected type null instead of failing the load.
create macro raw.parse_issue(payload) as from_json(
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
        "components": [{"name": "VARCHAR"}]
    }}'
).fields;

create macro raw.parse_history(payload) as from_json(
    payload,
    '{"author": {"accountId": "VARCHAR", "key": "VARCHAR", "name": "VARCHAR", "displayName": "VARCHAR"},
      "items": [{"field": "VARCHAR", "fromString": "VARCHAR", "toString": "VARCHAR"}]}'
);

create macro raw.parse_comment(payload) as from_json(
    payload,
    '{"author": {"accountId": "VARCHAR", "key": "VARCHAR", "name": "VARCHAR", "displayName": "VARCHAR"},
      "jsdPublic": "BOOLEAN"}'
);

alter table raw.issues add column parsed struct(
    summary varchar,
    issuetype struct(name varchar),
    status struct(name varchar, statusCategory struct("key" varchar)),
    priority struct(name varchar),
    resolution struct(name varchar),
    reporter struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
    assignee struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
    labels varchar[],
    components struct(name varchar)[]
);
update raw.issues set parsed = raw.parse_issue(payload);

alter table raw.changelog add column parsed struct(
    author struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
    items struct(field varchar, fromString varchar, toString varchar)[]
);
update raw.changelog set parsed = raw.parse_history(payload);

alter table raw.comments add column parsed struct(
    author struct(accountId varchar, "key" varchar, name varchar, displayName varchar),
    jsdPublic boolean
);
update raw.comments set parsed = raw.parse_comment(payload);
