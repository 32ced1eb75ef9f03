{#-
    The public marts (access: public) of this project, as [{name, relation}] for those built.
-#}
{% macro public_marts() %}
    {%- set marts = [] -%}
    {%- for node in graph.nodes.values()
          if node.resource_type == 'model' and node.access == 'public' and node.package_name == project_name -%}
        {%- do marts.append({'unique_id': node.unique_id, 'name': node.alias,
                             'relation': adapter.get_relation(node.database, node.schema, node.alias)}) -%}
    {%- endfor -%}
    {{ return(marts | sort(attribute='name')) }}
{% endmacro %}


{#-
    The DDL of a public mart's table in the published warehouse: its contract's columns and
    types, NOT NULL where the contract says not_null, and its key (the columns of its unique or
    unique_combination_of_columns test) as PRIMARY KEY when they are all NOT NULL, else as
    UNIQUE. DuckDB checks them as the rows go in, so a published file always holds what its
    constraints say, views included (fct_sales is a view in the build), and a client that reads
    table constraints (duckdb_constraints(), a driver's primary-key metadata) finds the keys.
    A mart whose meta sets published_key_index: false gets no key constraint: its index would
    cost more than the rest of the publish (fct_rfm_segment_history, a row per customer and
    month); its key test in the build still proves the key.
-#}
{% macro published_table_ddl(mart, table_name) %}
    {%- set node = graph.nodes[mart.unique_id] -%}
    {%- set not_null = [] -%}
    {%- set definitions = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set is_not_null = column.constraints | selectattr('type', 'equalto', 'not_null') | list | length > 0 -%}
        {%- if is_not_null -%}{%- do not_null.append(column.name) -%}{%- endif -%}
        {%- do definitions.append(adapter.quote(column.name) ~ ' ' ~ column.data_type ~ (' not null' if is_not_null else '')) -%}
    {%- endfor -%}
    {%- set keys = [] -%}
    {%- for test in graph.nodes.values()
          if node.meta.get('published_key_index', true)
          and test.resource_type == 'test' and test.attached_node == mart.unique_id and test.test_metadata -%}
        {%- if test.test_metadata.name == 'unique' -%}
            {%- do keys.append([test.test_metadata.kwargs.column_name]) -%}
        {%- elif test.test_metadata.name == 'unique_combination_of_columns' -%}
            {%- do keys.append(test.test_metadata.kwargs.combination_of_columns | list) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set found = namespace(primary=none) -%}
    {%- for columns in keys | sort -%}
        {%- if found.primary is none and columns | reject('in', not_null) | list | length == 0 -%}
            {%- set found.primary = columns -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for columns in keys | sort -%}
        {%- set quoted = [] -%}
        {%- for column in columns -%}{%- do quoted.append(adapter.quote(column)) -%}{%- endfor -%}
        {%- do definitions.append(('primary key' if columns == found.primary else 'unique') ~ ' (' ~ quoted | join(', ') ~ ')') -%}
    {%- endfor -%}
    create table {{ table_name }} ({{ definitions | join(', ') }})
{% endmacro %}


{#-
    Why this invocation must not publish, or none: only a `dbt build` in which every node
    succeeded (no error, failure or skip) and every public mart was built.
-#}
{% macro publish_refusal(results) %}
    {%- if flags.WHICH != 'build' -%}
        {{ return('this was `dbt ' ~ flags.WHICH ~ '`, not `dbt build`') }}
    {%- endif -%}
    {%- set bad = results | rejectattr('status', 'in', ['success', 'pass', 'warn', 'no-op', 'skipped']) | list -%}
    {%- set skipped = results | selectattr('status', 'equalto', 'skipped') | list -%}
    {%- if bad or skipped -%}
        {%- set names = bad | map(attribute='node.name') | list -%}
        {{ return(bad | length ~ ' node(s) failed or errored'
            ~ (' (' ~ names[:3] | join(', ') ~ (', ...' if names | length > 3 else '') ~ ')' if names else '')
            ~ ', ' ~ skipped | length ~ ' skipped') }}
    {%- endif -%}
    {%- set built = results | map(attribute='node.unique_id') | list -%}
    {%- set unbuilt = public_marts() | rejectattr('unique_id', 'in', built) | map(attribute='name') | list -%}
    {%- if unbuilt -%}
        {{ return('the build did not include every public mart (not: ' ~ unbuilt[:3] | join(', ') ~ (', ...' if unbuilt | length > 3 else '') ~ ')') }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{#-
    on-run-end: publish the warehouse BI tools open (see retail_segmentation/publish.py). Writes
    every public mart as a table into a new file beside the published one, in DuckDB 1.1's
    storage format, then renames it over the published file. Anything short of a fully
    successful `dbt build` leaves the published file as it was, and says why.
-#}
{% macro publish_warehouse(results, export_directory=none) %}
    {{ return(adapter.dispatch('publish_warehouse')(results, export_directory)) }}
{% endmacro %}

{% macro default__publish_warehouse(results, export_directory=none) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set published = run_query('select publish_published_path()').columns[0].values()[0] -%}
    {%- set refusal = publish_refusal(results) -%}
    {%- if refusal -%}
        {{ log("published warehouse '" ~ published ~ "' left as it was: " ~ refusal, info=true) }}
        {{ return('') }}
    {%- endif -%}
    {%- set staging = run_query('select publish_staging_path(' ~ sql_string(published) ~ ')').columns[0].values()[0] -%}
    {%- do run_query('select publish_remove_leftover(' ~ sql_string(published) ~ ')') -%}
    {%- do run_query("attach " ~ sql_string(staging) ~ " as publishing (storage_version 'v1.1.0')") -%}
    {%- for mart in public_marts() -%}
        {%- set table_name = 'publishing.main.' ~ adapter.quote(mart.name) -%}
        {%- do run_query(published_table_ddl(mart, table_name)) -%}
        {%- do run_query('insert into ' ~ table_name ~ ' by name select * from ' ~ mart.relation) -%}
    {%- endfor -%}
    {%- do run_query('detach publishing') -%}
    {%- do run_query('select publish_replace_file(' ~ sql_string(staging) ~ ', ' ~ sql_string(published) ~ ')') -%}
    {{ log("published " ~ public_marts() | length ~ " public marts to '" ~ published ~ "'", info=true) }}
    {%- if export_directory -%}
        {%- do export_public_marts(export_directory) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#-
    Spark has no warehouse file to publish: BI tools read its tables (Parquet in
    spark.sql.warehouse.dir) through Spark. Only say whether the build was complete.
-#}
{% macro spark__publish_warehouse(results, export_directory=none) %}
    {%- if execute -%}
        {%- set refusal = publish_refusal(results) -%}
        {{ log("Spark: the marts in schema " ~ target.schema ~ (" may be incomplete: " ~ refusal if refusal else " are complete"), info=true) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
