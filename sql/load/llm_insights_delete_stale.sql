-- Rows a batch wrote before that are no longer its tickets (deleted, or moved to another
-- month or batch): removed so that the month's aggregates count each ticket once.
delete from raw.llm_ticket_insights
where
    month = $month
    and batch = $batch
    and not list_contains($issue_ids, issue_id)
