{#-
    Export every public mart (access: public) as Parquet into `directory`, one file per mart:
    what BI tools can read without holding a lock on the DuckDB file.
        dbt run-operation export_public_marts --args '{directory: exports}'
    or at the end of any run/build: --vars '{export_parquet_dir: exports}'.
-#}
{% macro export_public_marts(directory) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if not directory -%}
        {{ exceptions.raise_compiler_error("export_public_marts needs a directory: --args '{directory: exports}'") }}
    {%- endif -%}
    {%- set exported = [] -%}
    {%- for node in graph.nodes.values()
          if node.resource_type == 'model' and node.access == 'public' and node.package_name == project_name -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- if relation is not none -%}
            {%- set target_file = directory ~ '/' ~ node.alias ~ '.parquet' -%}
            {%- do run_query("copy (select * from " ~ relation ~ ") to " ~ sql_string(target_file) ~ " (format parquet, compression zstd)") -%}
            {%- do exported.append(target_file) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log("exported " ~ exported | length ~ " public marts to " ~ directory, info=true) }}
    {{ return('') }}
{% endmacro %}
