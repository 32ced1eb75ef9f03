-- grain: one row per data record of every file behind raw_sales_path: a CSV line (or the lines
-- of a record whose quoted field holds line breaks), a Parquet or spreadsheet row
--
-- The raw lines numbered and cut into records. Not records: the lines up to the header (an
-- Excel "sep=" line, the header itself), blank lines (empty, or only blanks and delimiters, as
-- Excel writes empty rows) and the lines of base_sales__raw_multiline_records, which are
-- records of their own. A view: base_sales__order_lines reads it in its one parse.
{{ config(materialized='view') }}

with

multiline_records as (

    select * from {{ ref('base_sales__raw_multiline_records') }}

),

numbered_lines as {{ not_materialized() }} (

    select * from {{ ref('base_sales__raw_numbered_lines') }}

),

data_lines as (

    select *
    from numbered_lines
    where source_line_number > header_line_number
        and (fields is not null or not {{ is_blank_line('line', 'delimiter') }})

),

lines_within_multiline_records as (

    select
        source_file_index,
        {{ record_line_numbers() }} as source_line_number
    from multiline_records

),

single_line_records as (

    select
        data_lines.source_file_index,
        data_lines.source_file,
        data_lines.source_line_number,
        1 as source_line_count,
        data_lines.line as record_text,
        data_lines.fields,
        data_lines.typed_numbers
    from data_lines
    anti join lines_within_multiline_records
        on data_lines.source_file_index = lines_within_multiline_records.source_file_index
            and data_lines.source_line_number = lines_within_multiline_records.source_line_number

),

final as (

    select * from single_line_records
    union all
    select
        source_file_index,
        source_file,
        source_line_number,
        source_line_count,
        record_text,
        cast(null as {{ type_text_list() }}) as fields,
        cast(null as {{ type_boolean_list() }}) as typed_numbers
    from multiline_records

)

select * from final
