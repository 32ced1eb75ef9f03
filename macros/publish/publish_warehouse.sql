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
    The DDL of a public mart's table in the published warehouse, as a list of statements: a
    CREATE TABLE with its contract's columns and types, NOT NULL where the contract says
    not_null and the compression a column's meta names in published_compression (fsst for ids,
    which are mostly distinct: DuckDB would try a dictionary on them first, for nothing), then
    an ALTER TABLE per key (the columns of its unique or
    unique_combination_of_columns test, or a column its contract constrains primary_key or
    unique): PRIMARY KEY when they are all NOT NULL, else UNIQUE.
    The caller inserts the rows between the two: DuckDB builds a key's index once over the rows
    in the table faster than it checks them one insert at a time, and either way a published
    file always holds what its constraints say, views included (fct_sales is a view in the
    build), and a client that reads table constraints (duckdb_constraints(), a driver's
    primary-key metadata) finds the keys. A mart whose meta sets published_key_index: false gets
    no key constraint: its index would cost more than the rest of the publish
    (fct_rfm_segment_history, a row per customer and month); its key test in the build still
    proves the key.
-#}
{% macro published_table_ddl(mart, table_name) %}
    {%- set node = graph.nodes[mart.unique_id] -%}
    {%- set not_null = [] -%}
    {%- set definitions = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set is_not_null = column.constraints | selectattr('type', 'equalto', 'not_null') | list | length > 0 -%}
        {%- if is_not_null -%}{%- do not_null.append(column.name) -%}{%- endif -%}
        {%- set compression = ((column.get('config') or {}).get('meta') or {}).get('published_compression') -%}
        {%- do definitions.append(adapter.quote(column.name) ~ ' ' ~ column.data_type
            ~ (' using compression ' ~ compression if compression else '') ~ (' not null' if is_not_null else '')) -%}
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
    {#- a key the contract declares (a view's: its key test is on the table it reads) -#}
    {%- for column in node.columns.values() if node.meta.get('published_key_index', true) -%}
        {%- if column.constraints | selectattr('type', 'in', ['primary_key', 'unique']) | list
              and [column.name] not in keys -%}
            {%- do keys.append([column.name]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set found = namespace(primary=none) -%}
    {%- for columns in keys | sort -%}
        {%- if found.primary is none and columns | reject('in', not_null) | list | length == 0 -%}
            {%- set found.primary = columns -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set statements = ['create table ' ~ table_name ~ ' (' ~ definitions | join(', ') ~ ')'] -%}
    {%- for columns in keys | sort -%}
        {%- set quoted = [] -%}
        {%- for column in columns -%}{%- do quoted.append(adapter.quote(column)) -%}{%- endfor -%}
        {%- do statements.append('alter table ' ~ table_name ~ ' add '
            ~ ('primary key' if columns == found.primary else 'unique') ~ ' (' ~ quoted | join(', ') ~ ')') -%}
    {%- endfor -%}
    {{ return(statements) }}
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
    Whether this build kept raw files an earlier build loaded (base_sales__raw_load_plan): only
    then may the published file hold parts of marts this build would write the same.
-#}
{% macro publish_kept_raw_files() %}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'base_sales__raw_load_plan' -%}
        {%- set plan = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- if plan is not none -%}
            {{ return(run_query("select count(*) from " ~ plan ~ " where load_action = 'keep'").columns[0].values()[0] > 0) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}


{#-
    The column a public mart's meta names in published_parts_column, quoted, or none: one its
    published_parts expression never decreases with, so the rows of a set of parts lie between
    the least and greatest value of it among them. Only a column its contract constrains
    not_null: a NULL lies in no range.
-#}
{% macro published_parts_column(node) %}
    {%- set name = node.meta.get('published_parts_column') -%}
    {%- for column in node.columns.values()
          if column.name == name and column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
        {{ return(adapter.quote(name)) }}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#-
    What a mart's parts summary depends on besides its rows: the parts expression, the column
    bounded by, the columns hashed and DuckDB's version (hash() is not stable across versions).
-#}
{% macro published_parts_signature(node) %}
    {%- set version = run_query('select version()').columns[0].values()[0] -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}{%- do columns.append(column.name ~ ' ' ~ column.data_type) -%}{%- endfor -%}
    {{ return(node.meta.published_parts ~ ' | ' ~ (published_parts_column(node) or '') ~ ' | '
        ~ columns | join(', ') ~ ' | duckdb ' ~ version) }}
{% endmacro %}

{#-
    The select summarising a relation's rows per part: row count, sum of the rows' hashes of
    `columns`, least and greatest value of the published_parts_column (NULL without one).
-#}
{% macro published_parts_summary(node, relation, columns) %}
    {%- set bounded = published_parts_column(node) or 'null' -%}
    {%- set summary -%}
        select
            {{ node.meta.published_parts }} as part,
            count(*) as row_count,
            sum(hash({{ columns | join(', ') }})) as row_hashes,
            min({{ bounded }}) as lowest,
            max({{ bounded }}) as highest
        from {{ relation }}
        group by all
    {%- endset -%}
    {{ return(summary) }}
{% endmacro %}

{#-
    The table in the build warehouse (schema publish_state, beside the models' schemas, so
    nothing reads it as a mart) where a publish records the parts of a mart it published
    (publish_current_parts_<mart>), with the published file's identity and the summary's
    signature: the next publish takes the published side from it instead of hashing the file,
    while the file's identity and the signature are unchanged.
-#}
{% macro published_parts_record(mart) %}
    {{ return(api.Relation.create(database=target.database, schema='publish_state',
        identifier='published_parts_' ~ mart.name)) }}
{% endmacro %}


{#-
    Whether the publish carries a public mart over from the published file (a copy, attached as
    `before`) and rewrites only its parts that changed, for a mart whose meta sets
    published_parts: an expression over its columns that splits its rows into parts (fct_sales:
    the raw file a line came from, order_line_id // 10000000000). A part changed when its row
    count or the sum of its rows' hashes differs between the published table and this build.
    The published side is the record of the last publish (published_parts_record) when it was
    made for a file of `identity` (publish_file_identity: size, modification time, first and
    last MiB, no write-ahead log) with this build's signature; else the copy is hashed.
    Leaves this build's parts in temp table publish_current_parts_<mart>, and the changed ones
    in publish_changed_<mart>, with the least and greatest value of its published_parts_column
    (if it has one) on each side. Returns false, and the mart is written whole, when the
    published table's columns, types, nullability or keys are not what this build creates, or
    when the changed parts hold more than half of its rows; else how the published side was
    known.
-#}
{% macro published_parts_carried(mart, before, identity) %}
    {%- set node = graph.nodes[mart.unique_id] -%}
    {%- set found = run_query(
        "select count(*) from duckdb_tables() where database_name = " ~ sql_string(before)
        ~ " and schema_name = 'main' and table_name = " ~ sql_string(mart.name)
    ).columns[0].values()[0] -%}
    {%- if not node.meta.get('published_parts') or found == 0 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set check = 'publish_check_' ~ mart.name -%}
    {%- do run_query('drop table if exists temp.main.' ~ adapter.quote(check)) -%}
    {%- set check_ddl = published_table_ddl(mart, 'temp.main.' ~ adapter.quote(check)) -%}
    {%- do run_query(check_ddl[0] | replace('create table', 'create temporary table', 1)) -%}
    {%- for statement in check_ddl[1:] -%}{%- do run_query(statement) -%}{%- endfor -%}
    {%- set shape_sql -%}
        select
            (
                select string_agg(column_name || ' ' || data_type || ' ' || cast(is_nullable as varchar), ', ' order by column_index)
                from duckdb_columns()
                where database_name = $database and schema_name = 'main' and table_name = $name
            ) as table_columns,
            (
                select string_agg(constraint_type || ' ' || cast(constraint_column_names as varchar), ', ' order by constraint_type, cast(constraint_column_names as varchar))
                from duckdb_constraints()
                where database_name = $database and schema_name = 'main' and table_name = $name
            ) as table_constraints
    {%- endset -%}
    {%- set wanted = run_query(shape_sql | replace('$database', "'temp'") | replace('$name', sql_string(check))).rows[0] -%}
    {%- set published = run_query(shape_sql | replace('$database', sql_string(before)) | replace('$name', sql_string(mart.name))).rows[0] -%}
    {%- do run_query('drop table temp.main.' ~ adapter.quote(check)) -%}
    {%- if wanted[0] != published[0] or wanted[1] != published[1] -%}
        {{ return(false) }}
    {%- endif -%}
    {#- this build's parts, each column cast to its contract type, as the published table holds it -#}
    {%- set current_columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do current_columns.append('cast(' ~ adapter.quote(column.name) ~ ' as ' ~ column.data_type ~ ')') -%}
    {%- endfor -%}
    {%- do run_query('create or replace temporary table ' ~ adapter.quote('publish_current_parts_' ~ mart.name) ~ ' as '
        ~ published_parts_summary(node, mart.relation, current_columns)) -%}
    {%- set signature = published_parts_signature(node) -%}
    {%- set record = published_parts_record(mart) -%}
    {#- looked up in duckdb_tables(): adapter.get_relation lists an uncached schema in a
        transaction, which the hook's detach of the publishing file then refuses -#}
    {%- set recorded = identity and run_query(
            'select count(*) from duckdb_tables() where database_name = ' ~ sql_string(record.database)
            ~ ' and schema_name = ' ~ sql_string(record.schema) ~ ' and table_name = ' ~ sql_string(record.identifier)
          ).columns[0].values()[0] > 0
          and run_query(
            'select count(*) > 0 and count(*) = count(*) filter (where published_file = ' ~ sql_string(identity)
            ~ ' and published_signature = ' ~ sql_string(signature) ~ ') from ' ~ record
          ).columns[0].values()[0] -%}
    {%- if recorded -%}
        {%- set published_parts = 'select part, row_count, row_hashes, lowest, highest from ' ~ record -%}
    {%- else -%}
        {%- set published_columns = [] -%}
        {%- for column in node.columns.values() -%}{%- do published_columns.append(adapter.quote(column.name)) -%}{%- endfor -%}
        {%- set published_parts = published_parts_summary(node, before ~ '.main.' ~ adapter.quote(mart.name), published_columns) -%}
    {%- endif -%}
    {%- set changed = 'publish_changed_' ~ mart.name -%}
    {%- set parts_sql -%}
        create or replace temporary table {{ adapter.quote(changed) }} as
        with

        published_parts as (
            {{ published_parts }}
        ),

        current_parts as (
            select * from {{ adapter.quote('publish_current_parts_' ~ mart.name) }}
        )

        select
            coalesce(current_parts.part, published_parts.part) as part,
            coalesce(current_parts.row_count, 0) as row_count,
            sum(coalesce(current_parts.row_count, 0)) over () as current_rows,
            coalesce(current_parts.row_count, -1) <> coalesce(published_parts.row_count, -1)
            or coalesce(current_parts.row_hashes, -1) <> coalesce(published_parts.row_hashes, -1) as is_changed,
            published_parts.lowest as published_lowest,
            published_parts.highest as published_highest,
            current_parts.lowest as current_lowest,
            current_parts.highest as current_highest
        from current_parts
        full join published_parts on current_parts.part is not distinct from published_parts.part
    {%- endset -%}
    {%- do run_query(parts_sql) -%}
    {%- set sizes = run_query(
        'select coalesce(sum(row_count) filter (where is_changed), 0), coalesce(max(current_rows), 0) from ' ~ adapter.quote(changed)
    ).rows[0] -%}
    {%- if sizes[0] * 2 > sizes[1] -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return("published parts from the last publish's record" if recorded else 'published parts hashed from the file') }}
{% endmacro %}


{#-
    on-run-end: publish the warehouse BI tools open (see retail_segmentation/publish.py). Writes
    every public mart as a table into a new file beside the published one, in DuckDB 1.1's
    storage format, then renames it over the published file. Anything short of a fully
    successful `dbt build` leaves the published file as it was, and says why. When a mart can be
    carried over (published_parts_carried: fct_sales after a daily load), the new file starts as
    a copy of the published one, its other tables are written again, and only the mart's
    changed parts are deleted and inserted. The parts this publish summarised are recorded in
    the working file with the new file's identity, so the next one need not hash that file.
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
    {%- set marts = public_marts() -%}
    {%- set carried = [] -%}
    {%- set sources = {} -%}
    {#- the published file is only copied, never opened: a BI tool may hold it, even for writing -#}
    {%- if publish_kept_raw_files()
          and run_query('select publish_file_exists(' ~ sql_string(published) ~ ')').columns[0].values()[0] -%}
        {#- the file's identity before and after the copy: the copy is of that file only when they agree -#}
        {%- set identity_sql = 'select publish_file_identity(' ~ sql_string(published) ~ ')' -%}
        {%- set identity = run_query(identity_sql).columns[0].values()[0] -%}
        {%- do run_query('select publish_copy_file(' ~ sql_string(published) ~ ', ' ~ sql_string(staging) ~ ')') -%}
        {%- if run_query(identity_sql).columns[0].values()[0] != identity -%}
            {%- set identity = '' -%}
        {%- endif -%}
        {%- do run_query("attach " ~ sql_string(staging) ~ " as publishing (storage_version 'v1.1.0')") -%}
        {%- for mart in marts -%}
            {%- set how = published_parts_carried(mart, 'publishing', identity) -%}
            {%- if how -%}
                {%- do carried.append(mart.name) -%}
                {%- do sources.update({mart.name: how}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not carried -%}
            {%- do run_query('detach publishing') -%}
            {%- do run_query('select publish_remove_leftover(' ~ sql_string(published) ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not carried -%}
        {%- do run_query("attach " ~ sql_string(staging) ~ " as publishing (storage_version 'v1.1.0')") -%}
    {%- else -%}
        {%- for row in run_query("select table_name from duckdb_tables() where database_name = 'publishing'").rows
              if row[0] not in carried -%}
            {%- do run_query('drop table publishing.main.' ~ adapter.quote(row[0])) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set notes = [] -%}
    {%- for mart in marts -%}
        {%- set table_name = 'publishing.main.' ~ adapter.quote(mart.name) -%}
        {%- if mart.name in carried -%}
            {%- set node = graph.nodes[mart.unique_id] -%}
            {%- set changed_parts = adapter.quote('publish_changed_' ~ mart.name) -%}
            {%- set changed = '(select part from ' ~ changed_parts ~ ' where is_changed)' -%}
            {#- the changed parts' rows lie between the least and greatest value of the column the
                parts follow, so each side is read in that range only: DuckDB skips the row groups
                outside it, where the part expression alone reads every row -#}
            {%- set published_range, current_range = '', '' -%}
            {%- set column = published_parts_column(node) -%}
            {%- if column -%}
                {%- set published_range = ' and ' ~ column ~ ' between (select min(published_lowest) from ' ~ changed_parts
                    ~ ' where is_changed) and (select max(published_highest) from ' ~ changed_parts ~ ' where is_changed)' -%}
                {%- set current_range = ' and ' ~ column ~ ' between (select min(current_lowest) from ' ~ changed_parts
                    ~ ' where is_changed) and (select max(current_highest) from ' ~ changed_parts ~ ' where is_changed)' -%}
            {%- endif -%}
            {%- do run_query('delete from ' ~ table_name ~ ' where ' ~ node.meta.published_parts ~ ' in ' ~ changed ~ published_range) -%}
            {%- do run_query('insert into ' ~ table_name ~ ' by name select * from ' ~ mart.relation
                ~ ' where ' ~ node.meta.published_parts ~ ' in ' ~ changed ~ current_range) -%}
            {%- set sizes = run_query(
                'select count(*) filter (where is_changed), count(*), sum(row_count) filter (where is_changed), max(current_rows) from ' ~ changed_parts
            ).rows[0] -%}
            {%- do notes.append(mart.name ~ ': ' ~ sizes[0] ~ ' of ' ~ sizes[1] ~ ' parts written again, '
                ~ (sizes[2] or 0) ~ ' of ' ~ sizes[3] ~ ' rows, ' ~ sources[mart.name]) -%}
        {%- else -%}
            {%- set ddl = published_table_ddl(mart, table_name) -%}
            {%- do run_query(ddl[0]) -%}
            {%- do run_query('insert into ' ~ table_name ~ ' by name select * from ' ~ mart.relation) -%}
            {%- for statement in ddl[1:] -%}{%- do run_query(statement) -%}{%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the parts of each mart a later publish may carry over, as published now, when this
        publish summarised them (published_parts_carried did, on a copy of the published file);
        a mart written without that loses its record, and the next publish hashes the file -#}
    {%- set records = [] -%}
    {%- for mart in marts if graph.nodes[mart.unique_id].meta.get('published_parts') -%}
        {%- if run_query("select count(*) from duckdb_tables() where database_name = 'temp' and table_name = "
              ~ sql_string('publish_current_parts_' ~ mart.name)).columns[0].values()[0] > 0 -%}
            {%- do records.append([mart, published_parts_signature(graph.nodes[mart.unique_id])]) -%}
        {%- else -%}
            {%- do run_query('drop table if exists ' ~ published_parts_record(mart)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query('detach publishing') -%}
    {#- the new file's identity before the rename, which keeps it: a change to the published file
        after the rename (a BI tool that opened it for writing) then shows as another identity -#}
    {%- set identity = run_query('select publish_file_identity(' ~ sql_string(staging) ~ ')').columns[0].values()[0] -%}
    {%- do run_query('select publish_replace_file(' ~ sql_string(staging) ~ ', ' ~ sql_string(published) ~ ')') -%}
    {%- if records -%}
        {%- do run_query('create schema if not exists ' ~ adapter.quote(target.database) ~ '.publish_state') -%}
    {%- endif -%}
    {%- for mart, signature in records -%}
        {%- set current_parts = adapter.quote('publish_current_parts_' ~ mart.name) -%}
        {%- do run_query('create or replace table ' ~ published_parts_record(mart) ~ ' as select '
            ~ sql_string(identity) ~ ' as published_file, ' ~ sql_string(signature) ~ ' as published_signature, '
            ~ 'part, row_count, row_hashes, lowest, highest from ' ~ current_parts) -%}
        {%- do run_query('drop table ' ~ current_parts) -%}
    {%- endfor -%}
    {{ log("published " ~ marts | length ~ " public marts to '" ~ published ~ "'"
        ~ (' (' ~ notes | join('; ') ~ ')' if notes else ''), info=true) }}
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
