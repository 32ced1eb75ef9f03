-- grain: one row per file behind raw_sales_path
--
-- How each raw file is read, decided once from its first lines and a sample of its data lines,
-- so every line of a file is read the same way, and the load it was read in. The files this
-- build loads (base_sales__raw_load_plan) are profiled from their lines; the files it keeps
-- keep the row of the build that loaded them.
--   * where its lines are numbered from (first_rowid) and how many it has;
--   * an Excel "sep=;" first line (its delimiter is used), the header line, the delimiter
--     (raw_delimiter, or the one of , ; tab | under which the header names the layout's
--     columns) and where each of the layout's columns is (column_positions);
--   * the order of day and month in slash dates (raw_date_order, or from the dates: see
--     date_order_reason; when no sampled date reads only one way, is_date_order_known is false
--     and base_sales__order_lines refuses each date that reads as two days) and the decimal
--     separator (raw_decimal_separator, or from the numbers: decimal_separator_reason; likewise
--     is_decimal_separator_known, and a number that reads as two numbers is refused). Decided
--     from a sample of up to 100,000 lines spread over the file (all of a smaller file);
--     base_sales__order_lines checks the decision on every line.
-- A file that cannot be read (empty, no header with the layout's columns, a header and no
-- data) stops the build in the post-hook, naming the file, before anything is replaced; the
-- next post-hook logs how each file is read.
{{ config(
    materialized='table',
    post_hook=[
        "{{ raise_first_problem('select source_file, problem from ' ~ this, 'raw sales file') }}",
        "{{ log_raw_file_conventions(this) }}",
    ],
) }}

{%- set layout = raw_layout() %}
{%- set layout_columns = raw_layout_columns() %}
{%- set date_columns = raw_layout_columns_of_type(['date']) %}
{%- set number_columns = raw_layout_columns_of_type(['number', 'money']) %}
{%- set sample_lines = 100000 %}
{%- set loaded = raw_sales_loaded_relations() %}

with

plan as (

    select * from {{ ref('base_sales__raw_load_plan') }}

),

layout_headers as (

    {{ raw_layout_headers() }}

),

files as (

    select * from plan
    where load_action = 'load'

),

line_counts as (

    select
        raw_lines.source_file,
        cast(count(*) as bigint) as physical_lines,
        {{ 'cast(null as bigint)' if raw_sales_are_parquet() else 'min(' ~ raw_line_position('raw_lines') ~ ')' }}
            as first_rowid
    from {{ ref('base_sales__raw_lines') }} as raw_lines
    group by raw_lines.source_file

),

numbered_lines as {{ not_materialized() }} (

    -- the table itself, not an import CTE: on DuckDB a CSV line's number comes from its rowid
    select
        raw_lines.source_file,
        {{ raw_line_number('raw_lines', 'line_counts.first_rowid') }} as source_line_number,
        raw_lines.line,
        raw_lines.fields,
        raw_lines.typed_numbers,
        line_counts.physical_lines
    from {{ ref('base_sales__raw_lines') }} as raw_lines
    inner join line_counts on raw_lines.source_file = line_counts.source_file

),

-- the first 50 lines of each file: where its header is
head_lines as (

    select * from numbered_lines
    where source_line_number <= 50

),

-- Excel writes "sep=;" as the first line when asked to name its delimiter
delimiter_hints as (

    select
        source_file,
        {{ regexp_group('line', '^"?sep=(.)"?$', 1, ignore_case=true) }} as delimiter_hint
    from head_lines
    where source_line_number = 1 and {{ regexp_contains('line', '^"?sep=."?$', ignore_case=true) }}

),

-- the delimiters a header is tried with: raw_delimiter if set, else , ; tab | (in that order
-- of preference)
delimiters as (

    {%- if var('raw_delimiter') != 'auto' %}
    select
        {{ raw_delimiter_sql(var('raw_delimiter')) }} as delimiter,
        1 as preference
    {%- else %}
    select
        delimiter,
        preference
    from (values (',', 1), (';', 2), (chr(9), 3), ('|', 4)) as listed (delimiter, preference)  -- noqa: AL05
    {%- endif %}

),

-- the lines a header may be on: not empty and not a sep= hint (Parquet: the column names, line 0)
header_candidates as (

    select head_lines.*
    from head_lines
    left join delimiter_hints on head_lines.source_file = delimiter_hints.source_file
    where head_lines.fields is not null
        or (
            head_lines.line is not null
            and not (delimiter_hints.source_file is not null and head_lines.source_line_number = 1)
        )

),

-- each candidate with each delimiter it is tried with: only its file's sep= hint, if it has
-- one. Spreadsheet and Parquet lines come split: they have no delimiter.
delimiter_candidates as (

    select
        header_candidates.source_file,
        header_candidates.source_line_number,
        delimiters.delimiter,
        delimiters.preference,
        {{ split_raw_fields('header_candidates.line', 'delimiters.delimiter') }} as header_fields
    from header_candidates
    cross join delimiters
    left join delimiter_hints on header_candidates.source_file = delimiter_hints.source_file
    where header_candidates.fields is null
        {%- if var('raw_delimiter') == 'auto' %}
        and (delimiter_hints.source_file is null or delimiters.delimiter = delimiter_hints.delimiter_hint)
        {%- endif %}

    union all

    select
        source_file,
        source_line_number,
        cast(null as {{ dbt.type_string() }}) as delimiter,
        1 as preference,
        fields as header_fields
    from header_candidates
    where fields is not null

),

candidate_header_fields as (

    select
        source_file,
        source_line_number,
        delimiter,
        {{ unnest_with_position('header_fields', 'header_field', 'field_position') }}
    from delimiter_candidates

),

-- each layout column a candidate names, with the field it is in
header_matches as (

    select
        candidate_header_fields.source_file,
        candidate_header_fields.source_line_number,
        candidate_header_fields.delimiter,
        layout_headers.column_name,
        layout_headers.column_position,
        count(*) as fields_naming_it,
        min(candidate_header_fields.field_position) as field_position,
        {{ ordered_string_agg(
            'candidate_header_fields.header_field', "', '", 'candidate_header_fields.field_position'
        ) }} as header_names
    from candidate_header_fields
    inner join layout_headers
        on {{ normalized_header('candidate_header_fields.header_field') }} = layout_headers.header_key
    group by
        candidate_header_fields.source_file,
        candidate_header_fields.source_line_number,
        candidate_header_fields.delimiter,
        layout_headers.column_name,
        layout_headers.column_position

),

-- per candidate and delimiter: the layout columns it names, where, and its filled fields
delimiter_fits as (

    select
        delimiter_candidates.source_file,
        delimiter_candidates.source_line_number,
        delimiter_candidates.delimiter,
        delimiter_candidates.preference,
        {{ list_length('delimiter_candidates.header_fields') }} as header_field_count,
        {{ list_length(list_where('delimiter_candidates.header_fields', 'header_field', "trim(header_field) != ''")) }}
            as filled_fields,
        count(header_matches.column_name) as columns_found,
        {{ ordered_list('header_matches.column_name', 'header_matches.column_position') }} as found_columns,
        {{ ordered_list('header_matches.field_position', 'header_matches.column_position') }} as column_positions,
        min(
            case when header_matches.fields_naming_it > 1 then
                'names column ' || header_matches.column_name
                || ' more than once (' || header_matches.header_names || ')'
            end
        ) as repeated_column
    from delimiter_candidates
    left join header_matches
        on delimiter_candidates.source_file = header_matches.source_file
        and delimiter_candidates.source_line_number = header_matches.source_line_number
        and delimiter_candidates.delimiter is not distinct from header_matches.delimiter
    group by
        delimiter_candidates.source_file,
        delimiter_candidates.source_line_number,
        delimiter_candidates.delimiter,
        delimiter_candidates.preference,
        delimiter_candidates.header_fields

),

-- the first line naming every layout column with only title lines above it, one filled field
-- at most ("Sales report 2018;;;", as ERP reports and spreadsheets put above their table)
complete_headers as (

    select
        fits.source_file,
        min(fits.source_line_number) as header_line_number
    from delimiter_fits as fits
    left join delimiter_fits as earlier
        on fits.source_file = earlier.source_file
        and fits.delimiter is not distinct from earlier.delimiter
        and fits.source_line_number > earlier.source_line_number
        and earlier.filled_fields > 1
    where fits.columns_found = {{ layout_columns | length }}
        and earlier.source_file is null
    group by fits.source_file

),

-- the header: that line, else the first candidate (whose missing columns stop the build)
header_lines as (

    select
        header_candidates.source_file,
        coalesce(min(complete_headers.header_line_number), min(header_candidates.source_line_number))
            as header_line_number
    from header_candidates
    left join complete_headers on header_candidates.source_file = complete_headers.source_file
    group by header_candidates.source_file

),

headers as (

    select
        header_lines.source_file,
        header_lines.header_line_number,
        count(*) filter (where earlier_lines.source_line_number <= header_lines.header_line_number)
            as lines_through_header,
        any_value(head_lines.line) filter (where head_lines.source_line_number = header_lines.header_line_number)
            as header_line,
        any_value(head_lines.fields) filter (where head_lines.source_line_number = header_lines.header_line_number)
            as header_fields
    from header_lines
    inner join head_lines on header_lines.source_file = head_lines.source_file
    inner join head_lines as earlier_lines
        on header_lines.source_file = earlier_lines.source_file
        and head_lines.source_line_number = earlier_lines.source_line_number
    group by header_lines.source_file, header_lines.header_line_number

),

-- per file, the delimiter under which the header names the most layout columns (all of them,
-- for a file that can be read); on a tie the first of , ; tab |
chosen_delimiters as (

    select
        *,
        -- the columns it lacks, by the first header name the layout knows them by
        {{ list_map(
            list_where(
                integers_between(1, layout_columns | length),
                'position',
                'not ' ~ list_has('coalesce(found_columns, ' ~ list_of([]) ~ ')', list_at(sql_list(layout_columns), 'position'))
            ),
            'position',
            list_at(sql_list(layout.columns | map(attribute='headers') | map('first') | list), 'position')
        ) }} as missing_columns
    from (
        select
            delimiter_fits.*,
            row_number() over (
                partition by delimiter_fits.source_file
                order by delimiter_fits.columns_found desc, delimiter_fits.preference asc
            ) as delimiter_rank
        from delimiter_fits
        inner join header_lines
            on delimiter_fits.source_file = header_lines.source_file
            and delimiter_fits.source_line_number = header_lines.header_line_number
    ) as ranked_fits
    where delimiter_rank = 1

),

-- up to {{ sample_lines }} data lines spread evenly over each file (every line of a smaller
-- file), split into the layout's date and number columns
sampled_lines as (

    select
        numbered_lines.source_file,
        coalesce(
            numbered_lines.fields,
            {{ split_raw_fields('numbered_lines.line', 'chosen_delimiters.delimiter') }}
        ) as fields,
        numbered_lines.typed_numbers,
        chosen_delimiters.column_positions
    from numbered_lines
    inner join chosen_delimiters on numbered_lines.source_file = chosen_delimiters.source_file
    inner join header_lines on numbered_lines.source_file = header_lines.source_file
    where chosen_delimiters.columns_found = {{ layout_columns | length }}
        and numbered_lines.source_line_number > header_lines.header_line_number
        and numbered_lines.source_line_number
        % greatest(1, {{ integer_divide('numbered_lines.physical_lines', sample_lines) }}) = 0
        and (numbered_lines.fields is not null
            or not {{ is_blank_line('numbered_lines.line', 'chosen_delimiters.delimiter') }})

),

-- (a typed number of a Parquet or spreadsheet row is written with a point whatever the file's
-- separator: it tells nothing, and is left out)
sampled_values as (

    select
        source_file,
        {%- for column in date_columns + number_columns %}
        {%- set position = list_at('column_positions', layout_columns.index(column) + 1) %}
        {%- if column in number_columns %}
        case
            when not coalesce({{ list_at('typed_numbers', position) }}, false) then {{ list_at('fields', position) }}
        end
        {%- else %}
        {{ list_at('fields', position) }}
        {%- endif %}
            as raw_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from sampled_lines

),

-- whether each sampled value reads day first (dmy) and month first (mdy); with a decimal
-- comma and with a decimal point. Materialized: inlined, DuckDB copied each parse into every
-- count below that reads it.
sampled_readings as {{ materialized() }} (

    select
        source_file,
        {%- for column in date_columns %}
        {{ parse_raw_timestamp('raw_' ~ column, "'dmy'") }} is not null as {{ column }}_reads_dmy,
        {{ parse_raw_timestamp('raw_' ~ column, "'mdy'") }} is not null as {{ column }}_reads_mdy,
        {%- endfor %}
        {%- for column in number_columns %}
        {{ parse_raw_number('raw_' ~ column, "','", allow_percent=true) }} is not null as {{ column }}_reads_comma,
        {{ parse_raw_number('raw_' ~ column, "'.'", allow_percent=true) }} is not null
            as {{ column }}_reads_point{{ "," if not loop.last }}
        {%- endfor %}
    from sampled_values

),

-- Evidence, per sampled line: a date that reads only day first (13/5/19) or only month first
-- (5/13/19); a number that reads only with a decimal comma (12,50) or only with a decimal
-- point (12.50). 1/5/19 or 1,250 read both ways and tell nothing.
sample_evidence as (

    select
        source_file,
        count(*) as sampled_lines,
        {%- for reading, order, other in [('day_first', 'dmy', 'mdy'), ('month_first', 'mdy', 'dmy')] %}
        count(*) filter (where
            {%- for column in date_columns %}
            ({{ column }}_reads_{{ order }} and not {{ column }}_reads_{{ other }}){{ " or" if not loop.last }}
            {%- endfor %}
        ) as {{ reading }}_only_lines,
        {%- endfor %}
        {%- for reading, other in [('comma', 'point'), ('point', 'comma')] %}
        count(*) filter (where
            {%- for column in number_columns %}
            ({{ column }}_reads_{{ reading }} and not {{ column }}_reads_{{ other }}){{ " or" if not loop.last }}
            {%- endfor %}
        ) as decimal_{{ reading }}_only_lines{{ "," if not loop.last }}
        {%- endfor %}
    from sampled_readings
    group by source_file

),

profiled as (

    select
        files.source_file_index,
        files.source_file,
        files.file_size,
        files.file_modified_ns,
        files.file_fingerprint,
        files.load_settings,
        coalesce(line_counts.physical_lines, 0) as physical_lines,
        line_counts.first_rowid,
        headers.header_line_number,
        coalesce(headers.lines_through_header, 0) as lines_through_header,
        coalesce(headers.header_line, {{ list_join('headers.header_fields', "','") }}) as header_line,
        chosen_delimiters.delimiter,
        chosen_delimiters.header_field_count,
        chosen_delimiters.column_positions,
        chosen_delimiters.columns_found,
        chosen_delimiters.missing_columns,
        chosen_delimiters.repeated_column,
        coalesce(sample_evidence.sampled_lines, 0) as sampled_lines,
        coalesce(sample_evidence.day_first_only_lines, 0) as sampled_day_first_only_lines,
        coalesce(sample_evidence.month_first_only_lines, 0) as sampled_month_first_only_lines,
        coalesce(sample_evidence.decimal_comma_only_lines, 0) as sampled_decimal_comma_only_lines,
        coalesce(sample_evidence.decimal_point_only_lines, 0) as sampled_decimal_point_only_lines
    from files
    left join line_counts on files.source_file = line_counts.source_file
    left join headers on files.source_file = headers.source_file
    left join chosen_delimiters on files.source_file = chosen_delimiters.source_file
    left join sample_evidence on files.source_file = sample_evidence.source_file

),

-- the file's conventions: the var when set, else what the sample shows
conventions as (

    select
        *,
        {%- if var('raw_date_order') != 'auto' %}
        {{ sql_string(var('raw_date_order')) }} as date_order,
        'set by raw_date_order' as date_order_reason,
        true as is_date_order_known,
        {%- else %}
        case
            when sampled_day_first_only_lines > sampled_month_first_only_lines then 'dmy'
            when sampled_month_first_only_lines > sampled_day_first_only_lines then 'mdy'
            else {{ sql_string(layout.date_order) }}
        end as date_order,
        case
            when sampled_day_first_only_lines > 0 and sampled_month_first_only_lines = 0
                then 'every date reads day first, some only day first'
            when sampled_month_first_only_lines > 0 and sampled_day_first_only_lines = 0
                then 'every date reads month first, some only month first'
            when sampled_day_first_only_lines = 0 and sampled_month_first_only_lines = 0
                then 'no date reads only one way (no day above 12): a date that reads both ways, to two'
                    || ' different days, is ambiguous_date; the others read the same either way'
            else 'some dates read only day first, others only month first: the order more lines read in'
        end as date_order_reason,
        {# with neither the var nor a date reading only one way, no line tells the order #}
        sampled_day_first_only_lines + sampled_month_first_only_lines > 0 as is_date_order_known,
        {%- endif %}
        {%- if var('raw_decimal_separator') != 'auto' %}
        {{ sql_string(var('raw_decimal_separator')) }} as decimal_separator,
        'set by raw_decimal_separator' as decimal_separator_reason,
        true as is_decimal_separator_known
        {%- else %}
        case
            when sampled_decimal_comma_only_lines > sampled_decimal_point_only_lines then ','
            when sampled_decimal_point_only_lines > sampled_decimal_comma_only_lines then '.'
            when delimiter = ';' then ','
            else '.'
        end as decimal_separator,
        case
            when sampled_decimal_comma_only_lines > 0 and sampled_decimal_point_only_lines = 0
                then 'numbers read only with a decimal comma'
            when sampled_decimal_point_only_lines > 0 and sampled_decimal_comma_only_lines = 0
                then 'numbers read only with a decimal point'
            when sampled_decimal_comma_only_lines = 0 and sampled_decimal_point_only_lines = 0 and delimiter is null
                then 'no text number reads only one way (its typed numbers are read as typed): a text number'
                    || ' that reads as two different numbers is ambiguous_number'
            when sampled_decimal_comma_only_lines = 0 and sampled_decimal_point_only_lines = 0
                then 'no number reads only one way (like 1,250): a number that reads as two different'
                    || ' numbers is ambiguous_number; the others read the same either way'
            else 'some numbers read only with a decimal comma, others only with a point:'
                || ' the separator more lines read with'
        end as decimal_separator_reason,
        {#
            likewise: with neither the var nor a number reading only one way, no line tells the
            separator. A Parquet or spreadsheet file's typed numbers tell nothing (sampled_values)
            and are read as typed whatever the separator: DECIMAL(18, 3) 1.250 is 1.25
        #}
        sampled_decimal_comma_only_lines + sampled_decimal_point_only_lines > 0 as is_decimal_separator_known
        {%- endif %}
    from profiled

),

loaded_files as (

    select
        source_file_index,
        source_file,
        file_size,
        file_modified_ns,
        file_fingerprint,
        load_settings,
        {{ sql_string(invocation_id) }} as load_id,
        current_date as loaded_on,
        physical_lines,
        first_rowid,
        header_line_number,
        lines_through_header,
        header_line,
        delimiter,
        header_field_count,
        column_positions,
        date_order,
        date_order_reason,
        is_date_order_known,
        decimal_separator,
        decimal_separator_reason,
        is_decimal_separator_known,
        sampled_lines,
        sampled_day_first_only_lines,
        sampled_month_first_only_lines,
        sampled_decimal_comma_only_lines,
        sampled_decimal_point_only_lines,
        case
            when physical_lines = 0 then 'is empty (no lines)'
            when header_line_number is null then 'has no header line, only blank lines'
            when left(header_line, 1) = {{ unicode_char(65534) }} then
                'is UTF-16 big-endian: save it as UTF-8, or as UTF-16 little-endian (Excel''s Unicode text)'
            when repeated_column is not null then repeated_column
            when columns_found < {{ layout_columns | length }} then
                'is missing column(s) ''' || {{ list_join('missing_columns', "''', '''") }} || ''''
                || ' of the {{ var("raw_sales_format") }} layout ('
                || case
                    when delimiter is null then 'its columns: '
                    else 'delimiter ' || case delimiter when chr(9) then 'tab' else '''' || delimiter || '''' end
                        || {{ "' of , ; tab |'" if var('raw_delimiter') == 'auto' else "''" }}
                        || ', header line ' || header_line_number || ': '
                end
                || left(header_line, 300) || ')'
            when sampled_lines = 0 then 'has a header but no data rows'
        end as problem
    from conventions

),

{% if loaded %}
-- the files loaded before and kept: their row as the build that loaded them wrote it
kept_files as (

    select
        kept.* replace (cast(null as bigint) as first_rowid)
    from {{ loaded.raw_files }} as kept
    inner join plan
        on kept.source_file = plan.source_file
        and plan.load_action = 'keep'

),
{% endif %}

final as (

    select * from loaded_files
    {%- if loaded %}
    union all by name
    select * from kept_files
    {%- endif %}

)

select * from final
