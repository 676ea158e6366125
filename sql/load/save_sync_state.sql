-- Null arguments leave the stored value as it is.
insert into meta.jira_sync_state (
    scope, flavor, watermark, last_sync_at, last_full_pass_at, jira_count, warehouse_count
)
values ($scope, $flavor, $watermark, $last_sync_at, $last_full_pass_at, $jira_count, $warehouse_count)
on conflict (scope) do update set
    flavor = coalesce(excluded.flavor, jira_sync_state.flavor),
    watermark = coalesce(excluded.watermark, jira_sync_state.watermark),
    last_sync_at = coalesce(excluded.last_sync_at, jira_sync_state.last_sync_at),
    last_full_pass_at = coalesce(excluded.last_full_pass_at, jira_sync_state.last_full_pass_at),
    jira_count = coalesce(excluded.jira_count, jira_sync_state.jira_count),
    warehouse_count = coalesce(excluded.warehouse_count, jira_sync_state.warehouse_count)
