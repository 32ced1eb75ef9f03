-- grain: one row per raw line of every file behind raw_sales_path (a CSV line, a Parquet or
-- spreadsheet row)
--
-- Each raw line with its number in its file (the header is line 1) and how its file is read.
-- A CSV line's number comes from the rowid of base_sales__raw_lines, so this reads that table
-- itself. A view: the models and the row-accounting test that walk the lines read it, and
-- DuckDB plans it into each of their queries.
{{ config(materialized='view') }}

with

files as (

    select * from {{ ref('base_sales__raw_files') }}

),

final as (

    select
        files.source_file_index,
        raw_lines.source_file,
        {{ raw_line_number('raw_lines', 'files.first_rowid') }} as source_line_number,
        raw_lines.line,
        raw_lines.fields,
        raw_lines.typed_numbers,
        files.header_line_number,
        files.delimiter,
        files.header_field_count
    from {{ ref('base_sales__raw_lines') }} as raw_lines
    inner join files on raw_lines.source_file = files.source_file

)

select * from final
