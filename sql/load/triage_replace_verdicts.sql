-- The fresh analyses (`analyses`) and verdicts (`verdicts`, registered Arrow tables) replace
-- the previous ones of the same tickets; run inside one transaction by the caller.
delete from raw.triage_verdicts
where issue_id in (select issue_id from analyses)
    or issue_id not in (select issue_id from raw.triage_analyses);

insert or replace into raw.triage_analyses by name
select * from analyses;

insert into raw.triage_verdicts by name
select * from verdicts;
