{#-
    on-run-start: the raw inputs' one file check, once per invocation, before any node runs. For
    each source of raw files (_sales__sources.yml; its var is meta.path_var) whose var names a
    path, the glob must match a file; an unset optional input (raw_customers_path,
    raw_fx_rates_path) lists none and is no error. A glob matching nothing stops dbt here with
    one line naming the var and the path, so nothing is read and nothing is replaced. What each file holds is checked later, where it is
    read (base_sales__raw_files, base_sales__order_lines, base_sales__customers).
-#}
{% macro check_raw_inputs() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- for source_node in graph.sources.values()
          if source_node.package_name == project_name and source_node.meta.path_var -%}
        {%- set path_var = source_node.meta.path_var -%}
        {%- set listing = raw_file_listing(source_node) -%}
        {%- if var(path_var) -%}
            {%- set counted = run_query('select count(*) from ' ~ listing) -%}
            {%- if counted.columns[0].values()[0] == 0 -%}
                {{ exceptions.raise_compiler_error(
                    path_var ~ " '" ~ var(path_var) ~ "' matches no file (relative paths are read from the directory"
                    ~ " dbt runs in; a directory needs a glob, e.g. 'exports/*.csv')") }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#-
    What the files of one source of raw files can be counted from: on DuckDB, the source's
    location itself (glob(...) lists the files in SQL).
-#}
{% macro raw_file_listing(source_node) %}
    {{ return(adapter.dispatch('raw_file_listing')(source_node)) }}
{% endmacro %}

{% macro default__raw_file_listing(source_node) %}
    {#- the location as dbt-duckdb formats it (oldstyle: %% is %) -#}
    {{ return(source_node.meta.external_location | replace('%%', '%')) }}
{% endmacro %}


{#-
    Spark has no glob() to list files in SQL: the source becomes a view of Spark's binaryFile
    listing of its var's path (only the path is selected, so no file is read), in the source's
    schema, and that view is what is counted. On Spark every raw file must be CSV.
-#}
{% macro spark__raw_file_listing(source_node) %}
    {%- set location = source_node.meta.external_location | replace('%%', '%') -%}
    {%- set path = modules.re.match("^glob[(]'(.*)'[)]$", location | trim) -%}
    {%- set relation = source(source_node.source_name, source_node.name) -%}
    {%- do run_query('create database if not exists ' ~ relation.schema) -%}
    {%- if path -%}
        {%- set glob = path.group(1) | replace("''", "'") -%}
        {%- if raw_file_kind(glob) != 'csv' -%}
            {{ exceptions.raise_compiler_error(
                source_node.meta.path_var ~ " '" ~ glob ~ "': on Spark these files must be CSV"
                ~ " (.csv, .txt, .tsv, .csv.gz); the DuckDB build reads .xlsx"
                ~ (" and Parquet" if source_node.name == 'order_line_files' else "") ~ " files") }}
        {%- endif -%}
        {%- do run_query(
            'create or replace view ' ~ relation ~ ' as select ' ~ spark_file_path('path') ~ ' as file'
            ~ ' from binaryFile.`' ~ glob ~ '`'
        ) -%}
    {%- else -%}
        {%- do run_query('create or replace view ' ~ relation ~ ' as select cast(null as string) as file where false') -%}
    {%- endif -%}
    {{ return(relation) }}
{% endmacro %}
