-- The map's answers for a month, aggregated: tickets and toil per category, and the most
-- frequent sub-themes. The reduce reads these, never the tickets themselves.
with insights as (
    select * from raw.llm_ticket_insights
    where month = $month
),

themes as (
    select
        category,
        lower(sub_theme) as sub_theme,
        count(*) as theme_count
    from insights
    group by all
),

top_themes as (
    select
        category,
        (list(sub_theme order by theme_count desc, sub_theme))[1:3] as top_sub_themes
    from themes
    group by category
),

by_category as (
    select
        category,
        count(*) as analysed_count,
        count(*) filter (where is_toil) as toil_count,
        count(*) filter (where len(missing_fields) > 0) as incomplete_count
    from insights
    group by category
),

final as (
    select
        by_category.category,
        by_category.analysed_count,
        by_category.toil_count,
        by_category.incomplete_count,
        coalesce(top_themes.top_sub_themes, []) as top_sub_themes
    from by_category
    left join top_themes
        on by_category.category = top_themes.category
)

select * from final
order by analysed_count desc, category
