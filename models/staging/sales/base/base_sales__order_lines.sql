-- grain: one row per raw order record, clean or not, of every file behind raw_sales_path
--
-- The one parse of the raw data. Splits each record of base_sales__raw_records into the
-- header's fields, picks the layout's columns by their place in the header, parses them with
-- the file's conventions (base_sales__raw_files) and the layout's rules (parse_raw_sales_lines),
-- converts amounts to the reporting currency, and gives each record its reason codes. The clean
-- model and the quarantine model are both filters of this table, so every record lands in
-- exactly one of them. Quarantined records (and the first of each repeated group, which the
-- duplicate check compares against) keep their text (raw_line) and their layout fields
-- (raw_values); clean records keep typed values only.
--
-- On DuckDB an incremental table: a build parses only the files it loads
-- (base_sales__raw_load_plan). The pre-hook deletes the lines of every file it does not keep;
-- the lines it parses are appended. Duplicates are found over the lines it parses and the
-- record hashes of the lines it keeps, and the plan loads again any kept file whose lines'
-- duplicate status another file changes, so an incremental build ends with the table a full
-- build makes.
--
-- The post-hook stops the build (keeping the previous table) when a file's lines contradict the
-- conventions its sample chose, or when too much of a file was refused (raw_sales_file_checks).
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=[
        "{% if is_incremental() %}delete from {{ this }} where source_file not in"
        ~ " (select source_file from {{ ref('base_sales__raw_load_plan') }} where load_action = 'keep'){% endif %}",
    ],
    post_hook=[
        "{{ raise_first_problem(raw_sales_file_checks(this, ref('base_sales__raw_files')), 'raw sales file') }}",
    ],
) }}

-- depends_on: {{ ref('base_sales__raw_load_plan') }}
{%- set layout_columns = raw_layout_columns() %}
{%- set date_columns = raw_layout_columns_of_type(['date']) %}
{%- set number_columns = raw_layout_columns_of_type(['number', 'money']) %}
{%- set reporting_currency = sql_string(var('reporting_currency')) %}
{%- set conventions = raw_sales_conventions(ref('base_sales__raw_files')) %}
{#- Parquet and spreadsheet rows mark their typed numbers; CSV lines have none -#}
{%- set has_typed_numbers = raw_sales_files_to_load() | rejectattr('kind', 'equalto', 'csv') | list | length > 0 %}

with

records as (

    select * from {{ ref('base_sales__raw_records') }}

),

files as (

    select * from {{ ref('base_sales__raw_files') }}

),

fx_rates as (

    select * from {{ ref('stg_sales__fx_rates') }}

),

-- each day a rate applies on: from its rate_date to the day before the currency's next rate
-- (the latest rate: to the day of the build)
fx_rate_days as (

    select
        currency_code,
        {{ unnest_list(days_from_to('rate_date', 'valid_until_date')) }} as rate_day,
        rate_to_reporting
    from (
        select
            currency_code,
            rate_date,
            rate_to_reporting,
            coalesce(
                cast(
                    {{ dbt.dateadd('day', -1, 'lead(rate_date) over (partition by currency_code order by rate_date)') }}
                    as date
                ),
                current_date
            ) as valid_until_date
        from fx_rates
    ) as rate_ranges

),

multiline_records as (

    select * from {{ ref('base_sales__raw_multiline_records') }}

),

lines_within_multiline_records as (

    select
        source_file_index,
        {{ record_line_numbers() }} as source_line_number
    from multiline_records

),

-- Duplicates, found cheaply in a first pass that only hashes the raw lines (the lines of files
-- after their header, but those of records spanning lines; Parquet and spreadsheet rows by
-- their fields), the records spanning lines and the records kept from earlier loads: the
-- 8-byte hashes that occur more than once, with the first record of each. A hash match is a
-- candidate; tests/assert_duplicate_lines_repeat_exactly.sql checks on every build that each
-- record flagged duplicate_line has the raw text of the record it repeats.
parsed_hashes as (

    select
        {{ text_hash('coalesce(raw_lines.line, ' ~ list_join('raw_lines.fields', 'chr(31)') ~ ')') }} as record_hash,
        {{ order_line_id('files.source_file_index', raw_line_number('raw_lines', 'files.first_rowid')) }}
            as order_line_id
    from {{ ref('base_sales__raw_lines') }} as raw_lines
    inner join files on raw_lines.source_file = files.source_file
    anti join lines_within_multiline_records
        on files.source_file_index = lines_within_multiline_records.source_file_index
        and {{ raw_line_number('raw_lines', 'files.first_rowid') }} = lines_within_multiline_records.source_line_number
    where {{ raw_line_number('raw_lines', 'files.first_rowid') }} > files.header_line_number
        and (raw_lines.line is not null or raw_lines.fields is not null)

    union all

    select
        {{ text_hash('record_text') }} as record_hash,
        {{ order_line_id('source_file_index', 'source_line_number') }} as order_line_id
    from multiline_records

),

hashed_records as (

    select * from parsed_hashes

    {%- if is_incremental() and raw_sales_loaded_relations() %}

    union all

    -- after the pre-hook, this table holds the kept files' lines only (none when it was built
    -- before incremental loads: it gains their columns, and every file is loaded); only the
    -- kept lines that a parsed line repeats matter, since only parsed lines are flagged here.
    -- The plan loads again every kept file sharing a line with a file it loads, so these are
    -- none unless that rule misses one: then the parsed line is still flagged.
    select
        kept_lines.record_hash,
        kept_lines.order_line_id
    from {{ this }} as kept_lines
    semi join parsed_hashes on kept_lines.record_hash = parsed_hashes.record_hash
    {%- endif %}

),

repeated_records as (

    select
        record_hash,
        min(order_line_id) as first_order_line_id
    from hashed_records
    group by record_hash
    having count(*) > 1

),

split_records as (

    select
        records.source_file_index,
        records.source_file,
        records.source_line_number,
        records.source_line_count,
        records.record_text,
        {{ text_hash('coalesce(records.record_text, ' ~ list_join('records.fields', 'chr(31)') ~ ')') }} as record_hash,
        coalesce(records.fields, {{ split_raw_fields('records.record_text', 'files.delimiter') }}) as fields,
        records.typed_numbers,
        records.fields is not null
            or {{ is_well_formed_record('records.record_text', 'files.delimiter') }} as is_well_formed,
        coalesce(records.record_text = files.header_line, false) as is_repeated_header,
        files.header_field_count,
        files.column_positions,
        files.date_order,
        files.is_date_order_known,
        files.decimal_separator,
        files.is_decimal_separator_known
    from records
    inner join files on records.source_file_index = files.source_file_index

),

-- the layout's columns, each from its place in the file's header (the field list goes no further).
-- A typed number of a Parquet or spreadsheet row, written with a point, is written with the
-- file's separator, as a CSV export of the sheet in the file's locale would hold it: text cells
-- of the same file (1.250,00) decide that separator, and both are parsed by it.
raw_values as {{ not_materialized() }} (

    select
        source_file_index,
        source_file,
        source_line_number,
        source_line_count,
        record_text,
        record_hash,
        is_repeated_header,
        date_order,
        is_date_order_known,
        decimal_separator,
        is_decimal_separator_known,
        not is_well_formed or {{ list_length('fields') }} <> header_field_count as is_malformed,
        {%- for column in layout_columns %}
        {%- set field = list_at('fields', list_at('column_positions', loop.index)) %}
        {%- if has_typed_numbers and column in number_columns %}
        {%- set is_typed = list_at('typed_numbers', list_at('column_positions', loop.index)) %}
        case when {{ is_typed }} then replace({{ field }}, '.', decimal_separator) else {{ field }} end
            as raw_{{ column }},
        {{ is_typed }} as is_typed_{{ column }}{{ "," if not loop.last }}
        {%- else %}
        {{ field }} as raw_{{ column }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from split_records

),

-- Each record parsed with its file's conventions, one pair of CTEs per set of conventions the
-- files use (one, for files that agree): as constants they let DuckDB plan each parse once,
-- where a per-row choice made every date and number cost two to three times as much, and the
-- ambiguity checks are written out only for files whose order or separator is not known.
{%- for date_order, decimal_separator, is_date_order_known, is_decimal_separator_known in conventions %}

raw_values_{{ loop.index }} as (

    select * from raw_values
    where date_order = {{ sql_string(date_order) }} and decimal_separator = {{ sql_string(decimal_separator) }}
        -- as raw_sales_conventions reads them, so every line falls in exactly one set
        and coalesce(is_date_order_known, false) = {{ 'true' if is_date_order_known else 'false' }}
        and coalesce(is_decimal_separator_known, false) = {{ 'true' if is_decimal_separator_known else 'false' }}

),

parsed_{{ loop.index }} as (

    select
        parsed_lines.*,
        {{ is_ambiguous_date(date_columns, is_date_order_known) }} as is_ambiguous_date,
        {{ is_ambiguous_number(number_columns, is_decimal_separator_known, typed=has_typed_numbers) }}
            as is_ambiguous_number
    from ({{ parse_raw_sales_lines('raw_values_' ~ loop.index, sql_string(date_order), sql_string(decimal_separator)) }}) as parsed_lines

),
{%- endfor %}

parsed as (

    {%- for _ in conventions %}
    select * from parsed_{{ loop.index }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

-- a line in another currency than reporting_currency takes the latest rate on or before its
-- order date; a blank currency is the reporting currency
converted as (

    select
        parsed.*,
        {{ line_currency_code('parsed.currency_code') }} as line_currency_code,
        {{ line_currency_code('parsed.currency_code') }} = {{ reporting_currency }} as is_reporting_currency,
        cast(fx_rate_days.rate_to_reporting as decimal(38, 10)) as fx_rate_to_reporting
    from parsed
    left join fx_rate_days
        on parsed.currency_code = fx_rate_days.currency_code
        and parsed.order_date_value = fx_rate_days.rate_day

),

duplicates_flagged as (

    select
        converted.*,
        repeated_records.first_order_line_id,
        coalesce(
            {{ order_line_id('converted.source_file_index', 'converted.source_line_number') }}
                > repeated_records.first_order_line_id,
            false
        ) and not converted.is_repeated_header as is_duplicate_line
    from converted
    left join repeated_records on converted.record_hash = repeated_records.record_hash

),

checked as (

    select
        *,
        nullif(
            concat_ws(
                ',',
                -- first: the checks after them (implausible_date, number_out_of_range, ...) read an
                -- ambiguous date or number as one of its two values
                case when is_ambiguous_date and not is_malformed and not is_repeated_header then 'ambiguous_date' end,
                case
                    when is_ambiguous_number and not is_malformed and not is_repeated_header then 'ambiguous_number'
                end,
                nullif(line_problems, ''),
                case
                    when line_problems = '' and not is_ambiguous_date and not is_ambiguous_number
                        and not is_reporting_currency and fx_rate_to_reporting is null
                        then 'missing_fx_rate'
                end,
                case when is_duplicate_line then 'duplicate_line' end
            ),
            ''
        ) as quarantine_reasons
    from duplicates_flagged

),

-- unit amounts in the reporting currency, to 4 decimals (as the raw amounts), from which
-- every line amount is computed
priced as (

    select
        *,
        case
            when quarantine_reasons is null
                then {{ in_reporting_currency('unit_price_number', 'decimal(18, 4)') }}
        end
            as unit_price_reporting,
        case
            when quarantine_reasons is null
                then {{ in_reporting_currency('unit_cost_number', 'decimal(18, 4)') }}
        end
            as unit_cost_reporting
    from checked

),

final as (

    select
        cast({{ order_line_id('source_file_index', 'source_line_number') }} as bigint) as order_line_id,
        order_id,
        customer_id,
        store_id,
        product_id,
        sales_team_id,
        warehouse_code,
        sales_channel,
        line_currency_code as currency_code,
        product_description,
        country,
        quarantine_reasons,
        -- typed values of usable lines only: a refused line's numbers may not fit their types
        case when quarantine_reasons is null then cast(quantity_number as integer) end as quantity,
        unit_price_reporting as unit_price,
        unit_cost_reporting as unit_cost,
        case when quarantine_reasons is null then cast(discount_number as decimal(9, 4)) end as discount_rate,
        cast(round(quantity_number * unit_price_reporting, 2) as decimal(18, 2)) as gross_revenue,
        {{ net_revenue('quantity_number', 'unit_price_reporting', 'discount_number') }} as net_revenue,
        cast(round(quantity_number * unit_cost_reporting, 2) as decimal(18, 2)) as cost_amount,
        case when quarantine_reasons is null and not is_reporting_currency then fx_rate_to_reporting end
            as fx_rate_to_reporting,
        case when quarantine_reasons is null and not is_reporting_currency then unit_price_number end
            as original_unit_price,
        case when quarantine_reasons is null and not is_reporting_currency then unit_cost_number end
            as original_unit_cost,
        case when quarantine_reasons is null and not is_reporting_currency
            then {{ net_revenue('quantity_number', 'unit_price_number', 'discount_number') }}
        end as original_net_revenue,
        is_cancellation,
        -- an ambiguous line's dates are two days each: neither is given
        case when not is_ambiguous_date then procured_date_value end as procured_date,
        case when not is_ambiguous_date then order_date_value end as order_date,
        case when not is_ambiguous_date then ship_date_value end as ship_date,
        case when not is_ambiguous_date then delivery_date_value end as delivery_date,
        case when not is_ambiguous_date then ordered_at_value end as ordered_at,
        source_file,
        source_file_index,
        source_line_number,
        source_line_count,
        record_hash,
        {{ sql_string(invocation_id) }} as load_id,
        case when is_duplicate_line then first_order_line_id end as duplicate_of_order_line_id,
        case when quarantine_reasons is not null or first_order_line_id is not null then record_text end as raw_line,
        {%- set raw_columns = [] %}
        {%- for column in layout_columns %}{% do raw_columns.append('raw_' ~ column) %}{% endfor %}
        case when (quarantine_reasons is not null or first_order_line_id is not null) and not is_malformed
            then {{ list_of(raw_columns) }}
        end as raw_values
    from priced

)

select * from final
