-- grain: one row per raw order line that failed a check
--
-- What staging refused and why: the raw values as they were in the file, the file and line,
-- the first reason (quarantine_reason) and all of them (quarantine_reasons, comma-separated).
{{ config(materialized='table') }}

{%- set layout = raw_sales_layout() %}

with

order_lines as (

    select * from {{ ref('base_sales__order_lines') }}

),

final as (

    select
        order_line_id,
        split_part(quarantine_reasons, ',', 1) as quarantine_reason,
        quarantine_reasons,
        source_file,
        source_line_number,
        duplicate_of_order_line_id,
        {%- for header, name in layout %}
        raw_values[{{ loop.index }}] as raw_{{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from order_lines
    where quarantine_reasons is not null

)

select * from final
