-- Nothing lost: for every raw file, the lines read straight from the file (an independent
-- count, not through staging) equal the clean lines plus the quarantined lines. Returns the
-- files where they differ.

{%- set files = raw_sales_files() %}

with

raw_counts as (

    {%- for file in files %}
    select
        cast({{ sql_string(file) }} as {{ dbt.type_string() }}) as source_file,
        count(*) as raw_lines
    from {{ raw_file_reader(file) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

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
        coalesce(clean_counts.clean_lines, 0) as clean_lines,
        coalesce(quarantined_counts.quarantined_lines, 0) as quarantined_lines
    from raw_counts
    left join clean_counts on raw_counts.source_file = clean_counts.source_file
    left join quarantined_counts on raw_counts.source_file = quarantined_counts.source_file

)

select *
from compared
where raw_lines <> clean_lines + quarantined_lines
