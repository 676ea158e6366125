-- An issue's summary and description normalised for keyword search, once when the issue
-- lands: three regex passes over every description were a tenth of a full model rebuild.
-- Same normalisation as ticket_analytics.catalog.searchable_text: words only, Latin and
-- Hangul runs split apart, padded, so a Latin hint matches whole words only.
create macro raw.searchable_text(summary, description_text) as ' ' || trim(
    regexp_replace(
        regexp_replace(
            regexp_replace(
                lower(coalesce(summary, '') || ' ' || coalesce(description_text, '')),
                '[^a-z0-9가-힣]+', ' ', 'g'
            ),
            '([a-z0-9])([가-힣])', '\1 \2', 'g'
        ),
        '([가-힣])([a-z0-9])', '\1 \2', 'g'
    )
) || ' ';

alter table raw.issues add column searchable_text varchar;
update raw.issues set searchable_text = raw.searchable_text(parsed.summary, description_text);
