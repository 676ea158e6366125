-- The monthly analysis' map (raw.llm_ticket_insights, migration 0012) now gives fct_tickets
-- its LLM category; this placeholder was never written by the project.
drop table if exists raw.llm_classifications;
