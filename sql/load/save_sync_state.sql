-- Null arguments leave the stored value as it is; $reset_watermark stores $watermark even
-- when null (a sync that could not finish cleanly puts back the watermark it started from).
insert into meta.jira_sync_state (
    scope, flavor, watermark, last_sync_at, last_full_pass_at, jira_count, warehouse_count,
    time_zone
)
values (
    $scope, $flavor, $watermark, $last_sync_at, $last_full_pass_at, $jira_count,
    $warehouse_count, $time_zone
)
on conflict (scope) do update set
    flavor = coalesce(excluded.flavor, jira_sync_state.flavor),
    watermark = case
        when $reset_watermark then excluded.watermark
        else coalesce(excluded.watermark, jira_sync_state.watermark)
    end,
    last_sync_at = coalesce(excluded.last_sync_at, jira_sync_state.last_sync_at),
    last_full_pass_at = coalesce(excluded.last_full_pass_at, jira_sync_state.last_full_pass_at),
    jira_count = coalesce(excluded.jira_count, jira_sync_state.jira_count),
    warehouse_count = coalesce(excluded.warehouse_count, jira_sync_state.warehouse_count),
    -- the Jira user's profile zone: the team calendar's default (TA_TIMEZONE unset)
    time_zone = coalesce(excluded.time_zone, jira_sync_state.time_zone)
