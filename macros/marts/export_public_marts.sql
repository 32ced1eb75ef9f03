{#-
    Export every public mart of the published warehouse (see publish_warehouse) as Parquet into
    `directory`, one file per mart: what BI tools can read without DuckDB. Written into a new
    directory beside it, then moved into place, so a reader never sees half an export, and read
    from the published file, so an export is always of one whole successful build.
        dbt run-operation export_public_marts --args '{directory: exports}'
    or after each successful dbt build: --vars '{export_parquet_dir: exports}'.
-#}
{% macro export_public_marts(directory) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not directory -%}
        {{ exceptions.raise_compiler_error("export_public_marts needs a directory: --args '{directory: exports}'") }}
    {%- endif -%}
    {%- set published = run_query('select publish_published_path()').columns[0].values()[0] -%}
    {%- if not run_query('select count(*) from glob(' ~ sql_string(published) ~ ')').columns[0].values()[0] -%}
        {{ exceptions.raise_compiler_error("no published warehouse at '" ~ published ~ "' to export: run a dbt build first") }}
    {%- endif -%}
    {%- set directory = directory | string | trim | replace('\\', '/') -%}
    {%- set directory = directory[:-1] if directory.endswith('/') else directory -%}
    {%- set new_directory = directory ~ '.exporting' -%}
    {%- do run_query("attach " ~ sql_string(published) ~ " as exporting_from (read_only)") -%}
    {%- set tables = run_query("select table_name from duckdb_tables() where database_name = 'exporting_from' order by 1").columns[0].values() -%}
    {%- do run_query('select publish_fresh_directory(' ~ sql_string(new_directory) ~ ')') -%}
    {%- for table in tables -%}
        {%- do run_query("copy (select * from exporting_from.main." ~ adapter.quote(table) ~ ") to "
            ~ sql_string(new_directory ~ '/' ~ table ~ '.parquet') ~ " (format parquet, compression zstd)") -%}
    {%- endfor -%}
    {%- do run_query('detach exporting_from') -%}
    {%- do run_query('select publish_replace_directory(' ~ sql_string(new_directory) ~ ', ' ~ sql_string(directory) ~ ')') -%}
    {{ log("exported " ~ tables | length ~ " public marts of '" ~ published ~ "' to " ~ directory, info=true) }}
    {{ return('') }}
{% endmacro %}
