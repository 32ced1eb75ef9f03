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
        {%- do run_query('create table publishing.main.' ~ adapter.quote(mart.name) ~ ' as select * from ' ~ mart.relation) -%}
    {%- endfor -%}
    {%- do run_query('detach publishing') -%}
    {%- do run_query('select publish_replace_file(' ~ sql_string(staging) ~ ', ' ~ sql_string(published) ~ ')') -%}
    {{ log("published " ~ public_marts() | length ~ " public marts to '" ~ published ~ "'", info=true) }}
    {%- if export_directory -%}
        {%- do export_public_marts(export_directory) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
