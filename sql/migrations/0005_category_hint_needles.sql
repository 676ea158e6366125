-- What the SQL rule searches for: whole words for Latin hints, substrings for Korean
-- (computed by the catalog loader so Python and SQL classify alike).
alter table catalog.category_hints add column needle varchar;
