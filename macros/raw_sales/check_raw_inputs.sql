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
