-- Nothing lost: every line of every raw file ends in exactly one place. Returns the files
-- where that is not so.
--
-- 1. The one read kept every line: the physical lines of base_sales__raw_lines equal a recount
--    straight from the file (an independent read), while the raw input is at most
--    raw_recount_max_mb (above, re-reading 100M lines would cost as much as the build's own
--    read). Spreadsheets are not recounted: their one read is the only one there is.
-- 2. Every line read is a line up to the header (a sep= line, the header), a blank line, or a
--    line of exactly one record, clean or quarantined: lines = lines through the header +
--    blank lines outside records + the lines the records span. Checked for the files this
--    build loads (the blank lines are counted from the lines it read); a kept file passed it in
--    the build that loaded it, and its lines are the same (base_sales__raw_load_plan).
-- 3. Every record is clean or quarantined, in every file.

{%- set files = raw_input_file_list(source('raw_sales', 'order_line_files')) %}
{%- set csv_paths = files | selectattr('kind', 'equalto', 'csv') | map(attribute='path') | list %}
{%- set parquet_paths = files | selectattr('kind', 'equalto', 'parquet') | map(attribute='path') | list %}
{%- set recount = raw_files_megabytes(files | map(attribute='path') | list) <= var('raw_recount_max_mb') %}

with

files as (

    select * from {{ ref('base_sales__raw_files') }}

),

plan as (

    select * from {{ ref('base_sales__raw_load_plan') }}

),

order_lines as (

    select * from {{ ref('base_sales__order_lines') }}

),

recounted as (

    {{ recounted_raw_lines(csv_paths if recount else [], parquet_paths if recount else []) }}

),

-- lines inside records that span several lines (a quoted field holding line breaks)
lines_within_records as (

    select
        source_file,
        {{ record_line_numbers() }} as source_line_number
    from order_lines
    where source_line_count > 1

),

blank_lines_outside_records as (

    select
        numbered_lines.source_file,
        count(*) as blank_lines
    from {{ ref('base_sales__raw_numbered_lines') }} as numbered_lines
    anti join lines_within_records
        on numbered_lines.source_file = lines_within_records.source_file
        and numbered_lines.source_line_number = lines_within_records.source_line_number
    where numbered_lines.source_line_number > numbered_lines.header_line_number
        and numbered_lines.fields is null
        and {{ is_blank_line('numbered_lines.line', 'numbered_lines.delimiter') }}
    group by numbered_lines.source_file

),

record_lines as (

    select
        source_file,
        sum(source_line_count) as record_lines,
        count(*) filter (where quarantine_reasons is null) as clean_records,
        count(*) filter (where quarantine_reasons is not null) as quarantined_records
    from order_lines
    group by source_file

),

clean_lines as (

    select
        source_file,
        count(*) as clean_records
    from {{ ref('stg_sales__order_lines') }}
    group by source_file

),

quarantined_lines as (

    select
        source_file,
        count(*) as quarantined_records
    from {{ ref('stg_sales__quarantined_order_lines') }}
    group by source_file

),

compared as (

    select
        files.source_file,
        files.physical_lines,
        plan.load_action = 'load' as is_loaded_now,
        recounted.recounted_lines,
        files.lines_through_header,
        coalesce(blank_lines_outside_records.blank_lines, 0) as blank_lines,
        coalesce(record_lines.record_lines, 0) as record_lines,
        coalesce(clean_lines.clean_records, 0) as clean_records,
        coalesce(quarantined_lines.quarantined_records, 0) as quarantined_records,
        coalesce(record_lines.clean_records, 0) + coalesce(record_lines.quarantined_records, 0) as records
    from files
    inner join plan on files.source_file = plan.source_file
    left join recounted on files.source_file = recounted.source_file
    left join blank_lines_outside_records on files.source_file = blank_lines_outside_records.source_file
    left join record_lines on files.source_file = record_lines.source_file
    left join clean_lines on files.source_file = clean_lines.source_file
    left join quarantined_lines on files.source_file = quarantined_lines.source_file

)

select *
from compared
where recounted_lines <> physical_lines
    or (is_loaded_now and physical_lines <> lines_through_header + blank_lines + record_lines)
    or records <> clean_records + quarantined_records
