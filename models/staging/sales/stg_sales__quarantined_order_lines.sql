-- grain: one row per raw order line that failed a check
--
-- What staging refused and why: the line's text as it was in the file (raw_line), its values
-- by layout column (NULL for a malformed line, which has no columns), the file and line, the
-- first reason (quarantine_reason) and all of them (quarantine_reasons, comma-separated).
{{ config(materialized='table') }}

{%- set layout_columns = raw_layout_columns() %}

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
        source_line_count,
        duplicate_of_order_line_id,
        raw_line,
        {%- for column in layout_columns %}
            raw_values[{{ loop.index }}] as raw_{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from order_lines
    where quarantine_reasons is not null

)

select * from final
