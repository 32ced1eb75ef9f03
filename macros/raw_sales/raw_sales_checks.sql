{#-
    One row per line a record spans (source_line_number to source_line_number + source_line_count
    - 1), from a relation with those columns: which lines belong to records spanning lines.
-#}
{% macro record_line_numbers() -%}
    {{ unnest_list(integers_between('source_line_number', 'source_line_number + source_line_count - 1')) }}
{%- endmacro %}


{#- The key of a raw record: its file's position among the files x 10^10 + its line number. -#}
{% macro order_line_id(source_file_index, source_line_number) -%}
    {{ source_file_index }} * 10000000000 + {{ source_line_number }}
{%- endmacro %}


{#-
    Checks of each raw sales file once all its lines are parsed, as (source_file, problem) with
    problem NULL for a file that passes. base_sales__order_lines raises the first problem in a
    post-hook, so the build stops before anything downstream is replaced.

    1. The file's conventions hold for the whole file. base_sales__raw_files chose the order of
       day and month and the decimal separator from a sample; a refused line whose dates (or
       numbers) read only the other way is evidence against the choice. When such lines
       outnumber the lines reading only the chosen way (estimated from the sample), the choice
       was wrong and the build stops, saying which var to set. With the var set explicitly, it
       stops when over 1% of the lines read only the other way and none only the chosen way.
       Only the files this build parsed are checked so: a file kept from an earlier load was
       checked when it was loaded, and its lines and conventions are the same.
    2. A file whose share of refused lines (duplicate_line alone aside: a copy of a file is not
       a broken file) is above raw_max_quarantined_share stops the build, naming its three most
       frequent reasons; when ambiguous_date alone is above the share (a file whose dates never
       tell day from month), saying to set raw_date_order, and likewise ambiguous_number and
       raw_decimal_separator.
-#}
{% macro raw_sales_file_checks(order_lines, raw_files) -%}
    {%- set layout_columns = raw_layout_columns() -%}
    {%- set date_columns = raw_layout_columns_of_type(['date']) -%}
    {%- set number_columns = raw_layout_columns_of_type(['number', 'money']) -%}
    {%- set date_orders, separators = [], [] -%}
    {%- for date_order, separator, _, _ in raw_sales_conventions(raw_files) -%}
        {%- if date_order not in date_orders %}{% do date_orders.append(date_order) %}{% endif -%}
        {%- if separator not in separators %}{% do separators.append(separator) %}{% endif -%}
    {%- endfor -%}
    {%- set other_orders = {'dmy': 'mdy', 'mdy': 'dmy'} -%}
    {%- set other_separators = {'.': ',', ',': '.'} -%}
    with

    files as (

        select * from {{ raw_files }}

    ),

    refused as (

        select
            order_lines.source_file,
            order_lines.load_id,
            split_part(order_lines.quarantine_reasons, ',', 1) as quarantine_reason,
            contains(order_lines.quarantine_reasons, 'ambiguous_date') as is_ambiguous_date,
            contains(order_lines.quarantine_reasons, 'ambiguous_number') as is_ambiguous_number,
            order_lines.raw_values
        from {{ order_lines }} as order_lines
        inner join files on order_lines.source_file = files.source_file
        where order_lines.quarantine_reasons is not null
            and order_lines.quarantine_reasons <> 'duplicate_line'

    ),

    refused_counts as (

        select
            source_file,
            count(*) as refused_lines,
            count(*) filter (where is_ambiguous_date) as ambiguous_date_lines,
            count(*) filter (where is_ambiguous_number) as ambiguous_number_lines
        from refused
        group by source_file

    ),

    -- the refused lines this build parsed, with their dates and numbers as written: a kept
    -- file's lines were checked by the build that loaded them, with the same conventions
    parsed_refused as (

        select
            refused.source_file,
            files.date_order,
            files.decimal_separator,
            {%- for column in date_columns + number_columns %}
            {{ list_at('refused.raw_values', layout_columns.index(column) + 1) }} as raw_{{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from refused
        inner join files on refused.source_file = files.source_file
        where refused.load_id = {{ sql_string(invocation_id) }}

    ),

    -- each convention the files use as a constant, as base_sales__order_lines parses with them:
    -- the query holds each date and number parse once per order or separator in use
    conventions_evidence as (

        select
            source_file,
            count(*) filter (where case date_order
                {%- for date_order in date_orders %}
                when {{ sql_string(date_order) }} then
                    {%- for column in date_columns %}
                    ({{ parse_raw_timestamp('raw_' ~ column, sql_string(date_order)) }} is null
                        and {{ parse_raw_timestamp('raw_' ~ column, sql_string(other_orders[date_order])) }} is not null)
                    {{- " or" if not loop.last }}
                    {%- endfor %}
                {%- endfor %}
            end) as other_date_order_lines,
            count(*) filter (where case decimal_separator
                {%- for separator in separators %}
                when {{ sql_string(separator) }} then
                    {%- for column in number_columns %}
                    ({{ parse_raw_number('raw_' ~ column, sql_string(separator), allow_percent=true) }} is null
                        and {{ parse_raw_number('raw_' ~ column, sql_string(other_separators[separator]), allow_percent=true) }} is not null)
                    {{- " or" if not loop.last }}
                    {%- endfor %}
                {%- endfor %}
            end) as other_separator_lines
        from parsed_refused
        group by source_file

    ),

    reason_counts as (

        select
            source_file,
            {{ ordered_string_agg(
                "case when reason_rank <= 3 then quarantine_reason || ': ' || cast(lines as " ~ dbt.type_string() ~ ") end",
                "', '",
                'reason_rank'
            ) }} as top_reasons
        from (
            select
                source_file,
                quarantine_reason,
                count(*) as lines,
                row_number() over (partition by source_file order by count(*) desc, quarantine_reason) as reason_rank
            from refused
            group by source_file, quarantine_reason
        ) as counted
        group by source_file

    ),

    line_counts as (

        select source_file, count(*) as records
        from {{ order_lines }}
        group by source_file

    ),

    measured as (

        select
            files.source_file,
            files.date_order,
            files.decimal_separator,
            line_counts.records,
            coalesce(refused_counts.refused_lines, 0) as refused_lines,
            coalesce(refused_counts.ambiguous_date_lines, 0) as ambiguous_date_lines,
            coalesce(refused_counts.ambiguous_number_lines, 0) as ambiguous_number_lines,
            coalesce(conventions_evidence.other_date_order_lines, 0) as other_date_order_lines,
            coalesce(conventions_evidence.other_separator_lines, 0) as other_separator_lines,
            line_counts.records * (case files.date_order
                when 'dmy' then files.sampled_day_first_only_lines
                else files.sampled_month_first_only_lines
            end) / greatest(files.sampled_lines, 1) as chosen_date_order_lines,
            line_counts.records * (case files.decimal_separator
                when ',' then files.sampled_decimal_comma_only_lines
                else files.sampled_decimal_point_only_lines
            end) / greatest(files.sampled_lines, 1) as chosen_separator_lines,
            reason_counts.top_reasons
        from files
        inner join line_counts on files.source_file = line_counts.source_file
        left join refused_counts on files.source_file = refused_counts.source_file
        left join conventions_evidence on files.source_file = conventions_evidence.source_file
        left join reason_counts on files.source_file = reason_counts.source_file

    )

    select
        source_file,
        case
            {%- set date_readings = "case date_order when 'dmy' then 'day first' else 'month first' end" %}
            {%- set other_readings = "case date_order when 'dmy' then 'month first' else 'day first' end" %}
            {%- if var('raw_date_order') == 'auto' %}
            when other_date_order_lines > chosen_date_order_lines then
                'has ' || other_date_order_lines || ' lines with dates that read only ' || {{ other_readings }}
                || ', against about ' || round(chosen_date_order_lines) || ' that read only ' || {{ date_readings }}
                || ', the order a sample of its lines chose: set raw_date_order to '
                || {{ other_date_order('date_order') }} || ' (or ' || date_order || ') to read it one way'
            {%- else %}
            when other_date_order_lines > 0.01 * records and chosen_date_order_lines = 0 then
                'looks ' || {{ other_readings }} || ': ' || other_date_order_lines
                || ' lines have dates that read only ' || {{ other_readings }} || ' and none only ' || {{ date_readings }}
                || ' (raw_date_order is ' || date_order || '): set raw_date_order to ' || {{ other_date_order('date_order') }}
            {%- endif %}
            {%- set separator_name = "case decimal_separator when ',' then 'a decimal comma' else 'a decimal point' end" %}
            {%- set other_separator_name = "case decimal_separator when ',' then 'a decimal point' else 'a decimal comma' end" %}
            {%- if var('raw_decimal_separator') == 'auto' %}
            when other_separator_lines > chosen_separator_lines then
                'has ' || other_separator_lines || ' lines with numbers that read only with ' || {{ other_separator_name }}
                || ', against about ' || round(chosen_separator_lines) || ' only with ' || {{ separator_name }}
                || ', the separator a sample of its lines chose: set raw_decimal_separator to '''
                || {{ other_decimal_separator('decimal_separator') }} || ''' (or ''' || decimal_separator || ''')'
            {%- else %}
            when other_separator_lines > 0.01 * records and chosen_separator_lines = 0 then
                'looks written with ' || {{ other_separator_name }} || ': ' || other_separator_lines
                || ' lines have numbers that read only that way (raw_decimal_separator is ''' || decimal_separator
                || '''): set raw_decimal_separator to ''' || {{ other_decimal_separator('decimal_separator') }} || ''''
            {%- endif %}
            when ambiguous_date_lines > {{ var('raw_max_quarantined_share') }} * records then
                'has ' || ambiguous_date_lines || ' of its ' || records || ' lines with dates that read as two'
                || ' different days (5/3/21: 5 March day first, May 3 month first), and no date that reads only'
                || ' one way to tell the order. Nothing was replaced. Set raw_date_order to dmy or mdy, the'
                || ' order the file is written in.'
            when ambiguous_number_lines > {{ var('raw_max_quarantined_share') }} * records then
                'has ' || ambiguous_number_lines || ' of its ' || records || ' lines with numbers that read as two'
                || ' different numbers (1,250: 1250 with a decimal point, 1.25 with a decimal comma), and no number'
                || ' that reads only one way to tell the separator. Nothing was replaced. Set raw_decimal_separator'
                || ' to ''.'' or '','', the one the file is written with.'
            when refused_lines > {{ var('raw_max_quarantined_share') }} * records then
                'had ' || refused_lines || ' of its ' || records || ' lines refused ('
                || round(100.0 * refused_lines / records, 1) || '%; ' || top_reasons
                || '), above raw_max_quarantined_share (' || {{ var('raw_max_quarantined_share') }}
                || '). Nothing was replaced. Fix the file, or raise raw_max_quarantined_share to load'
                || ' its clean lines and see every refused one in stg_sales__quarantined_order_lines.'
        end as problem
    from measured
{%- endmacro %}


{#- The currency a line's amounts are in: its currency code, or reporting_currency where that is blank. -#}
{% macro line_currency_code(currency_code='currency_code') -%}
    coalesce({{ currency_code }}, {{ sql_string(var('reporting_currency')) }})
{%- endmacro %}


{#-
    An amount of a line in the reporting currency, as `data_type`: converted with the line's rate
    unless it is in it already. Each branch is cast on its own: a CASE of the amount and its
    product with the DECIMAL(38, 10) rate has the product's type, so every amount, converted or
    not, would be widened to a 128-bit decimal and cast back, at many times the cost.
-#}
{% macro in_reporting_currency(amount, data_type) -%}
    (case
        when is_reporting_currency then cast({{ amount }} as {{ data_type }})
        else cast({{ amount }} * fx_rate_to_reporting as {{ data_type }})
    end)
{%- endmacro %}


{#-
    The conventions the raw files were decided to use, from base_sales__raw_files (built before
    the models that call this run): each distinct (date_order, decimal_separator,
    is_date_order_known, is_decimal_separator_known). At parse time (no database yet), for an
    empty table, and when that table is not built yet (`dbt compile`, `dbt docs generate` or the
    SQL linter on a new warehouse): the layout's date order with a decimal point, neither known.
-#}
{% macro raw_sales_conventions(raw_files) %}
    {%- set fallback = [(raw_layout().date_order, '.', false, false)] -%}
    {%- if not execute or adapter.get_relation(raw_files.database, raw_files.schema, raw_files.identifier) is none -%}
        {{ return(fallback) }}
    {%- endif -%}
    {%- set found = run_query(
        "select distinct date_order, decimal_separator, coalesce(is_date_order_known, false),"
        ~ " coalesce(is_decimal_separator_known, false) from " ~ raw_files
        ~ " where date_order is not null order by 1, 2, 3, 4"
    ) -%}
    {%- set conventions = [] -%}
    {%- for row in found.rows -%}
        {%- do conventions.append((row[0], row[1], row[2], row[3])) -%}
    {%- endfor -%}
    {{ return(conventions or fallback) }}
{% endmacro %}


{#-
    (source_file, problem) for each file of a row-per-record input (customers, experiment
    assignments) whose refused share is above raw_max_quarantined_share.
-#}
{% macro refused_rows_problems(relation, quarantine_model) -%}
    select
        source_file,
        'had ' || count(*) filter (where quarantine_reasons is not null) || ' of its ' || count(*)
            || ' rows refused (' || round(100.0 * count(*) filter (where quarantine_reasons is not null) / count(*), 1)
            || '%), above raw_max_quarantined_share ({{ var("raw_max_quarantined_share") }}). Nothing was replaced.'
            || ' See them in {{ quarantine_model }} (after raising the var), and fix the file.' as problem
    from {{ relation }}
    group by source_file
    having count(*) filter (where quarantine_reasons is not null) > {{ var('raw_max_quarantined_share') }} * count(*)
{%- endmacro %}
