-- Ready for the next batch: emptying is much cheaper than re-creating.
delete from staged_issues;
delete from staged_changelog;
delete from staged_comments;
delete from staged_rejected;
