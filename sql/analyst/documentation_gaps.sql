-- Where requests most often arrive incomplete, and which fields are missing.
select
    category,
    request_template,
    ticket_count,
    round(100 * clarification_rate, 1) as clarified_pct,
    round(100 * missing_field_rate, 1) as missing_fields_pct,
    most_missing_fields,
    round(clarification_delay_hours, 1) as clarification_delay_hours
from fct_documentation_gaps
order by gap_score desc
limit 20
