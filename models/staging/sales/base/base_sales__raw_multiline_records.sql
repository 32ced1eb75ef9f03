-- grain: one row per record of a raw CSV file that spans lines (a quoted field holding line breaks)
--
-- A quoted field may hold line breaks, so a record may span lines. A line with an odd number of
-- quotes opens or closes such a field: it is joined with the lines up to the next such line
-- when together they make one well-formed record with the header's number of fields (at most
-- 1,000 lines). Otherwise the line stays alone (and is quarantined as
-- malformed_line) and the next odd line may open a record: a stray or unterminated quote costs
-- one line, not the rest of the file. Small (empty for most exports): a table, so
-- base_sales__raw_records and the duplicate pass of base_sales__order_lines read it cheaply.
{{ config(materialized='table') }}

{%- set max_record_lines = 1000 %}

with

files as (

    select * from {{ ref('base_sales__raw_files') }}

),

numbered_lines as {{ not_materialized() }} (

    select * from {{ ref('base_sales__raw_numbered_lines') }}

),

-- lines with an odd number of quotes (a blank line has none)
odd_quote_lines as (

    select
        source_file_index,
        source_line_number,
        delimiter,
        header_field_count,
        row_number() over (partition by source_file_index order by source_line_number) as odd_index
    from numbered_lines
    where fields is null
        and {{ has_odd_quotes('line') }}
        and source_line_number > header_line_number

),

-- each odd line with the next odd line of its file: a record if the lines between make one
spans as (

    select
        opening.source_file_index,
        opening.odd_index,
        opening.source_line_number as first_line_number,
        closing.source_line_number as last_line_number,
        opening.delimiter,
        opening.header_field_count
    from odd_quote_lines as opening
    inner join odd_quote_lines as closing
        on opening.source_file_index = closing.source_file_index
        and closing.odd_index = opening.odd_index + 1
    where closing.source_line_number - opening.source_line_number < {{ max_record_lines }}

),

span_line_numbers as (

    select
        source_file_index,
        odd_index,
        {{ unnest_list(integers_between('first_line_number', 'last_line_number')) }} as source_line_number
    from spans

),

-- the text of each span, its lines (blank ones too) read by their place in the raw lines table
-- (raw_line_position). Only CSV lines have quotes to span: a Parquet-only raw lines view has
-- no rowid and no spans.
span_texts as (

    {%- if raw_sales_are_parquet() %}
    select
        cast(null as bigint) as source_file_index,
        cast(null as bigint) as odd_index,
        cast(null as {{ dbt.type_string() }}) as record_text
    where false
    {%- else %}
    select
        span_line_numbers.source_file_index,
        span_line_numbers.odd_index,
        {{ ordered_string_agg("coalesce(raw_lines.line, '')", 'chr(10)', 'span_line_numbers.source_line_number') }}
            as record_text
    from span_line_numbers
    inner join files on span_line_numbers.source_file_index = files.source_file_index
    inner join {{ ref('base_sales__raw_lines') }} as raw_lines
        on {{ raw_line_position('raw_lines') }} = files.first_rowid + span_line_numbers.source_line_number - 1
    group by span_line_numbers.source_file_index, span_line_numbers.odd_index
    {%- endif %}

),

checked_spans as (

    select
        spans.*,
        span_texts.record_text,
        {{ is_well_formed_record('span_texts.record_text', 'spans.delimiter') }}
            and {{ list_length(split_raw_fields('span_texts.record_text', 'spans.delimiter')) }}
            = spans.header_field_count
            as is_record
    from spans
    inner join span_texts
        on spans.source_file_index = span_texts.source_file_index
        and spans.odd_index = span_texts.odd_index

),

-- Spans are taken from the top of the file, as a CSV reader would: after a record, the next
-- odd line opens the next one. Within a run of consecutive spans that are records, that takes
-- every other span, starting with the run's first.
span_runs as (

    select
        odd_quote_lines.source_file_index,
        odd_quote_lines.odd_index,
        coalesce(checked_spans.is_record, false) as is_record,
        coalesce(
            lag(checked_spans.is_record) over (
                partition by odd_quote_lines.source_file_index order by odd_quote_lines.odd_index
            ),
            false
        ) as follows_record
    from odd_quote_lines
    left join checked_spans
        on odd_quote_lines.source_file_index = checked_spans.source_file_index
        and odd_quote_lines.odd_index = checked_spans.odd_index

),

run_starts as (

    select
        *,
        max(case when is_record and not follows_record then odd_index end) over (
            partition by source_file_index order by odd_index rows unbounded preceding
        ) as run_start_index
    from span_runs

),

taken_spans as (

    select checked_spans.*
    from checked_spans
    inner join run_starts
        on checked_spans.source_file_index = run_starts.source_file_index
        and checked_spans.odd_index = run_starts.odd_index
    where run_starts.is_record and (run_starts.odd_index - run_starts.run_start_index) % 2 = 0

),

final as (

    select
        taken_spans.source_file_index,
        files.source_file,
        taken_spans.first_line_number as source_line_number,
        taken_spans.last_line_number - taken_spans.first_line_number + 1 as source_line_count,
        taken_spans.record_text
    from taken_spans
    inner join files on taken_spans.source_file_index = files.source_file_index

)

select * from final
