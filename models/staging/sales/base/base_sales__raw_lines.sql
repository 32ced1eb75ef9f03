-- grain: one row per physical line of every CSV file this build loads, and one per row of its
-- Parquet and spreadsheet files (plus a header row holding their column names)
--
-- The one read of the raw files: of the files base_sales__raw_load_plan loads (every file
-- behind raw_sales_path on a full build; on an incremental build the new and changed ones). A
-- CSV line is kept whole, as text: nothing is split, parsed or dropped here, so
-- base_sales__raw_files can find each file's delimiter and header, and every line keeps its
-- number. On DuckDB, CSV lines are numbered downstream from this table's rowid: DuckDB
-- writes a table in the order it reads the files (preserve_insertion_order, on in the profile),
-- so a file's lines sit at consecutive rowids, and the read and the write use every core. That
-- is why this is a table and must stay one. A path of Parquet files only is read where it is
-- (a view): Parquet rows carry their number. Parquet and spreadsheet rows arrive split
-- (fields), with typed_numbers marking the fields that held numbers rather than text.
{#- every var is checked here, when dbt parses the project (see validate_project_vars) -#}
{%- do validate_project_vars() %}
{%- set parquet_only = raw_sales_are_parquet() %}
{{ config(
    materialized='view' if parquet_only else 'table',
    post_hook=[] if parquet_only else ["{{ raw_lines_read_check('raw sales') }}"],
) }}

{%- set files = raw_sales_files_to_load() %}
{%- set spreadsheet_rows = ref('base_sales__raw_spreadsheet_rows') if python_models_enabled() else none %}
{%- set csv_paths = files | selectattr('kind', 'equalto', 'csv') | map(attribute='path') | list %}
{#- cp1252 files are read from their UTF-8 copies, under their own names -#}
{%- set utf8_copies = raw_utf8_copies(csv_paths) %}
{%- set parquet_paths = files | selectattr('kind', 'equalto', 'parquet') | map(attribute='path') | list %}
{%- set spreadsheet_paths = files | selectattr('kind', 'equalto', 'xlsx') | map(attribute='path') | list %}
{%- set has_spreadsheets = spreadsheet_paths | length > 0 %}

with

{% if csv_paths %}
    csv_lines as (

        {{ csv_file_lines(csv_paths, utf8_copies, var('raw_encoding')) }}

    ),
{% endif %}

{% for path in parquet_paths %}
parquet_lines_{{ loop.index }} as (

    {{ parquet_file_lines(path) }}

),
{% endfor %}

{% if has_spreadsheets %}
spreadsheet_lines as (

    select source_file, source_line_number, cast(null as {{ dbt.type_string() }}) as line, fields, typed_numbers
    from {{ spreadsheet_rows }}
    where {{ list_has(sql_list(spreadsheet_paths), 'source_file') }}

),
{% endif %}

final as (

    {%- set parts = ['csv_lines'] if csv_paths else [] %}
    {%- for path in parquet_paths %}{% do parts.append('parquet_lines_' ~ loop.index) %}{% endfor %}
    {%- if has_spreadsheets %}{% do parts.append('spreadsheet_lines') %}{% endif %}
    {%- for part in parts %}
        select * from {{ part }}
        {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as bigint) as source_line_number,
        cast(null as {{ dbt.type_string() }}) as line,
        cast(null as {{ type_text_list() }}) as fields,
        cast(null as {{ type_boolean_list() }}) as typed_numbers
    where false
    {%- endfor %}

)

select * from final
