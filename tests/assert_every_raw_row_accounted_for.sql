-- Nothing lost: for every raw file, the lines in the file equal the clean lines plus the
-- quarantined lines. Returns the files where they differ.
--
-- Lines in the file are counted straight from the file (an independent read, not through
-- staging) while the raw input is at most raw_recount_max_mb. Above that, re-reading 100M lines
-- would cost as much as the build's own scan, so the count comes from the line numbers the scan
-- gave: they start at the first data line and are unique (order_line_id's unique test), so
-- count = last - first + 1 proves no line between them was skipped.

{%- set files = raw_sales_files() %}
{%- set total_mb = 0 %}
{%- if execute %}
    {%- set sizes = run_query("select coalesce(sum(size), 0) from read_blob([" ~ files | map('tojson') | join(', ') | replace('"', "'") ~ "])") %}
    {%- set total_mb = sizes.columns[0].values()[0] / 1000000 %}
{%- endif %}
{%- set recount = total_mb <= var('raw_recount_max_mb') %}

with

base_lines as (

    select
        source_file,
        count(*) as base_lines,
        min(source_line_number) as first_line,
        max(source_line_number) as last_line
    from {{ ref('base_sales__order_lines') }}
    group by source_file

),

raw_counts as (

    {%- if recount %}
    {%- for file in files %}
    select
        cast({{ sql_string(file) }} as {{ dbt.type_string() }}) as source_file,
        count(*) as raw_lines
    from {{ raw_file_reader(file) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- else %}
    select
        source_file,
        case
            when first_line = case source_file
                {%- for file in files %}
                when {{ sql_string(file) }} then {{ raw_first_line_number(file) }}
                {%- endfor %}
            end
                then last_line - first_line + 1
        end as raw_lines
    from base_lines
    {%- endif %}

),

clean_counts as (

    select source_file, count(*) as clean_lines
    from {{ ref('stg_sales__order_lines') }}
    group by source_file

),

quarantined_counts as (

    select source_file, count(*) as quarantined_lines
    from {{ ref('stg_sales__quarantined_order_lines') }}
    group by source_file

),

compared as (

    select
        raw_counts.source_file,
        raw_counts.raw_lines,
        base_lines.base_lines,
        coalesce(clean_counts.clean_lines, 0) as clean_lines,
        coalesce(quarantined_counts.quarantined_lines, 0) as quarantined_lines
    from raw_counts
    left join base_lines on raw_counts.source_file = base_lines.source_file
    left join clean_counts on raw_counts.source_file = clean_counts.source_file
    left join quarantined_counts on raw_counts.source_file = quarantined_counts.source_file

)

select *
from compared
where raw_lines is null
    or raw_lines <> clean_lines + quarantined_lines
    or raw_lines <> base_lines
