-- The category catalog as tables (rewritten from the YAML on every build), and the LLM's
-- per-ticket classification, which overrides the keyword rules when present.
create schema if not exists catalog;

create table catalog.categories (
    category_id varchar primary key,
    category_rank integer not null,
    name_ko varchar not null,
    name_en varchar not null,
    description varchar not null
);

create table catalog.category_hints (
    category_id varchar not null,
    category_rank integer not null,
    hint varchar not null,
    primary key (category_id, hint)
);

create table catalog.required_fields (
    category_id varchar not null,
    field_id varchar not null,
    field_rank integer not null,
    label_ko varchar not null,
    label_en varchar not null,
    description varchar not null,
    example varchar not null,
    primary key (category_id, field_id)
);

create table raw.llm_classifications (
    issue_id varchar primary key,
    category varchar not null,
    model varchar,
    classified_at timestamptz not null
);
