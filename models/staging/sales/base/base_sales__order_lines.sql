-- grain: one row per raw order line, clean or not, of every file behind raw_sales_path
--
-- The one parse of the raw data. Numbers the raw lines of base_sales__raw_lines, parses them
-- with the layout's rules (parse_raw_sales_lines), and gives each line its reason codes. The
-- clean model and the quarantine model are both filters of this table, so every raw line lands
-- in exactly one of them. The raw text of a line (raw_values: its fields in the layout's order,
-- see raw_sales_layout) is kept for quarantined lines and the first line of each repeated group,
-- which the duplicate check compares against; clean lines have their typed values. One list
-- column, NULL on most lines: sixteen mostly-NULL text columns cost 3.2 s of writing this table
-- at 10M lines, the list 0.3 s (the whole write 13.4 s -> 11.4 s).
{{ config(materialized='table') }}

{%- set layout = raw_sales_layout() %}
{%- set line_hash -%}
    hash({% for header, name in layout %}raw_{{ name }}{{ ", " if not loop.last }}{% endfor %})
{%- endset %}
{%- set line_id = 'source_file_index * 10000000000 + source_line_number' %}
{#-
    The raw lines with their line numbers. Parquet rows come numbered (see base_sales__raw_lines).
    CSV lines are held by base_sales__raw_lines in file order at consecutive rowids, so a line's
    number is its rowid's distance from the file's first rowid plus the file's first_line_number.
    rowid is DuckDB's; another engine needs its own row position here. Read twice below, as two
    subqueries: one CTE read twice is materialized (every raw line copied to memory or disk).
#}
{%- set numbered_raw_lines %}
    {%- if raw_sales_are_parquet() %}
        select * from {{ ref('base_sales__raw_lines') }}
    {%- else %}
        select
            raw_lines.*,
            cast(raw_lines.rowid - file_starts.first_rowid + raw_lines.first_line_number as bigint)
                as source_line_number
        from {{ ref('base_sales__raw_lines') }} as raw_lines
        inner join (
            select source_file_index, min(rowid) as first_rowid
            from {{ ref('base_sales__raw_lines') }}
            group by source_file_index
        ) as file_starts
            on raw_lines.source_file_index = file_starts.source_file_index
    {%- endif %}
{%- endset %}

with

-- Duplicates, found cheaply in a first read of the raw lines that only hashes each line: the
-- 8-byte hashes of the raw values that occur on more than one line, with the first of those
-- lines. The exact window this replaces (partition by every raw column) carried every parsed
-- line through a sort and spilled 30 GB to disk at 100M lines.
-- A hash match is a candidate; tests/assert_duplicate_lines_repeat_exactly.sql checks on every
-- build that each line flagged duplicate_line has the raw values of the line it repeats.
repeated_lines as (

    select
        {{ line_hash }} as line_hash,
        min({{ line_id }}) as first_order_line_id
    from (
        {{ numbered_raw_lines }}
    ) as hashed_lines
    group by 1
    having count(*) > 1

),

raw_lines as (

    {{ numbered_raw_lines }}

),

parsed as (

    {{ parse_raw_sales_lines() }}

),

duplicates_flagged as (

    select
        parsed.*,
        repeated_lines.first_order_line_id,
        coalesce(
            {{ line_id }} > repeated_lines.first_order_line_id,
            false
        ) as is_duplicate_line
    from parsed
    left join repeated_lines
        on {{ line_hash }} = repeated_lines.line_hash

),

checked as (

    select
        *,
        nullif(
            concat_ws(',', nullif(line_problems, ''), case when is_duplicate_line then 'duplicate_line' end),
            ''
        ) as quarantine_reasons
    from duplicates_flagged

),

final as (

    select
        cast({{ line_id }} as bigint) as order_line_id,
        order_id,
        customer_id,
        store_id,
        product_id,
        sales_team_id,
        warehouse_code,
        sales_channel,
        currency_code,
        product_description,
        country,
        quarantine_reasons,
        cast(quantity_number as integer) as quantity,
        cast(unit_price_number as decimal(18, 4)) as unit_price,
        cast(unit_cost_number as decimal(18, 4)) as unit_cost,
        cast(discount_number as decimal(9, 4)) as discount_rate,
        cast(round(quantity_number * unit_price_number, 2) as decimal(18, 2)) as gross_revenue,
        {{ net_revenue('quantity_number', 'unit_price_number', 'discount_number') }} as net_revenue,
        cast(round(quantity_number * unit_cost_number, 2) as decimal(18, 2)) as cost_amount,
        is_cancellation,
        procured_date_value as procured_date,
        order_date_value as order_date,
        ship_date_value as ship_date,
        delivery_date_value as delivery_date,
        ordered_at_value as ordered_at,
        source_file,
        source_file_index,
        source_line_number,
        case when is_duplicate_line then first_order_line_id end as duplicate_of_order_line_id,
        case
            when quarantine_reasons is not null or first_order_line_id is not null then [
                {%- for header, name in layout %}raw_{{ name }}{{ ", " if not loop.last }}{% endfor -%}
            ]
        end as raw_values
    from checked

)

select * from final
