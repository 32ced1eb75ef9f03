{#-
    on-run-start: the raw inputs' one file check, once per invocation, before any node runs. For
    each source of raw files (_sales__sources.yml; its var is meta.path_var) whose var names a
    path, the glob must match a file; an unset optional input (raw_customers_path,
    raw_fx_rates_path) lists none and is no error. A glob matching nothing stops dbt here with
    one line naming the var and the path, so nothing is read and nothing is replaced. What each file holds is checked later, where it is
    read (base_sales__raw_files, base_sales__order_lines, base_sales__customers).
-#}
{% macro check_raw_inputs() %}
    {{ return(adapter.dispatch('check_raw_inputs')()) }}
{% endmacro %}

{% macro default__check_raw_inputs() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- for source_node in graph.sources.values()
          if source_node.package_name == project_name and source_node.meta.path_var -%}
        {%- set path_var = source_node.meta.path_var -%}
        {%- if var(path_var) -%}
            {#- the location as dbt-duckdb formats it (oldstyle: %% is %) -#}
            {%- set location = source_node.meta.external_location | replace('%%', '%') -%}
            {%- set listing = run_query('select count(*) from ' ~ location) -%}
            {%- if listing.columns[0].values()[0] == 0 -%}
                {{ exceptions.raise_compiler_error(
                    path_var ~ " '" ~ var(path_var) ~ "' matches no file (relative paths are read from the directory"
                    ~ " dbt runs in; a directory needs a glob, e.g. 'exports/*.csv')") }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#-
    Spark has no glob() to list files in SQL: each source of raw files becomes a view of
    Spark's binaryFile listing of its var's path (only the path is selected, so no file is
    read), in the source's schema, then the same check. On Spark the sales files must be CSV.
-#}
{% macro spark__check_raw_inputs() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- for source_node in graph.sources.values()
          if source_node.package_name == project_name and source_node.meta.path_var -%}
        {%- set path_var = source_node.meta.path_var -%}
        {%- set location = source_node.meta.external_location | replace('%%', '%') -%}
        {%- set path = modules.re.match("^glob[(]'(.*)'[)]$", location | trim) -%}
        {%- set relation = source(source_node.source_name, source_node.name) -%}
        {%- do run_query('create database if not exists ' ~ relation.schema) -%}
        {%- if path -%}
            {%- set glob = path.group(1) | replace("''", "'") -%}
            {%- if source_node.name == 'order_line_files' and raw_file_kind(glob) != 'csv' -%}
                {{ exceptions.raise_compiler_error(
                    path_var ~ " '" ~ glob ~ "': on Spark the sales files must be CSV (.csv, .txt, .tsv, .csv.gz);"
                    ~ " Parquet and .xlsx files are read by the DuckDB build") }}
            {%- endif -%}
            {%- do run_query(
                'create or replace view ' ~ relation ~ ' as select ' ~ spark_file_path('path') ~ ' as file'
                ~ ' from binaryFile.`' ~ glob ~ '`'
            ) -%}
            {%- set listing = run_query('select count(*) from ' ~ relation) -%}
            {%- if listing.columns[0].values()[0] == 0 -%}
                {{ exceptions.raise_compiler_error(
                    path_var ~ " '" ~ var(path_var) ~ "' matches no file (relative paths are read from the directory"
                    ~ " dbt runs in; a directory needs a glob, e.g. 'exports/*.csv')") }}
            {%- endif -%}
        {%- else -%}
            {%- do run_query('create or replace view ' ~ relation ~ ' as select cast(null as string) as file where false') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
