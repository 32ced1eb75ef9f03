{#-
    Incremental loads of the raw sales files (DuckDB). base_sales__raw_load_plan decides per file
    whether this build loads it (new, changed, renumbered, or its lines' status may have
    changed), keeps what an earlier build loaded, or removes it; base_sales__raw_lines reads
    only the files to load, base_sales__raw_files and base_sales__order_lines keep the rest.
-#}

{#-
    The tables an earlier build loaded the raw files into, as {raw_files, order_lines}, when
    this build can add to them: on DuckDB, without --full-refresh, both tables there and with
    the columns incremental loads keep (a warehouse built before them reloads every file).
    none otherwise. Looked up by name in the schema of the model calling it (the base models'),
    not by ref: they are built after the plan that reads them.
-#}
{% macro raw_sales_loaded_relations() -%}
    {%- if not execute or target.type != 'duckdb' or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = {} -%}
    {%- for name, column in [('base_sales__raw_files', 'file_fingerprint'), ('base_sales__order_lines', 'load_id')] -%}
        {%- set relation = adapter.get_relation(this.database, this.schema, name) -%}
        {%- if relation is none or relation.type != 'table' -%}
            {{ return(none) }}
        {%- endif -%}
        {%- if not relation_has_column(relation, column) -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do found.update({name.split('__')[1]: relation}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#-
    The vars a loaded line's parse depends on, as one string: when it differs from the one a
    file was loaded with, the file is loaded again.
-#}
{% macro raw_sales_load_settings() -%}
    {%- set settings = {} -%}
    {%- for name in [
        'raw_sales_format', 'raw_layouts', 'raw_encoding', 'raw_delimiter', 'raw_date_order',
        'raw_decimal_separator', 'raw_min_order_date', 'raw_max_lead_days', 'reporting_currency',
    ] -%}
        {%- do settings.update({name: var(name)}) -%}
    {%- endfor -%}
    {{ return(tojson(settings, sort_keys=true)) }}
{%- endmacro %}


{#-
    What the files of `files_source` are read as, for a model that reads them whole and keeps
    its rows while they stay the same (base_sales__customers): `settings` (the vars the parse
    depends on) and each file's path and fingerprint (raw_file_fingerprint, from the profile's
    plugin), as one string. none at parse time and off DuckDB, where every build reads every
    file.
-#}
{% macro raw_files_load_key(files_source, settings) -%}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set paths = raw_input_file_list(files_source) | map(attribute='path') | list -%}
    {%- set fingerprints = 'no file' -%}
    {%- if paths -%}
        {%- set fingerprints = run_query(
            "select string_agg(file || '=' || raw_file_fingerprint(file), ';' order by file) from unnest("
            ~ sql_list(paths) ~ ") as files(file)"
        ).rows[0][0] -%}
    {%- endif -%}
    {{ return(settings ~ ' ' ~ fingerprints) }}
{%- endmacro %}


{#-
    Does `relation` (a model's own table, in an incremental build) hold rows read with
    `load_key` (raw_files_load_key) and no others? false when it is empty, was built before
    it kept the key, or `load_key` is none.
-#}
{% macro rows_loaded_with(relation, load_key) -%}
    {%- if load_key is none or not relation_has_column(relation, 'load_key') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found = run_query(
        "select coalesce(count(*) = count(load_key) and min(load_key) = max(load_key) and min(load_key) = "
        ~ sql_string(load_key) ~ ", false) from " ~ relation
    ).rows[0][0] -%}
    {{ return(found) }}
{%- endmacro %}


{#-
    Pre-hook of such a model: deletes the rows not read with `load_key` (every row of a table
    built before it kept the key).
-#}
{% macro delete_rows_not_loaded_with(relation, load_key) -%}
    delete from {{ relation }}
    {%- if relation_has_column(relation, 'load_key') %}
    where load_key is distinct from {{ sql_string(load_key) }}
    {%- endif %}
{%- endmacro %}


{#-
    The files this build reads, as [{path, kind}] in name order: those base_sales__raw_load_plan
    loads (`plan`: the plan itself, from its own hook). Before the plan is built (dbt compile,
    docs generate) every file behind raw_sales_path.
-#}
{% macro raw_sales_files_to_load(plan=none) -%}
    {%- set plan = plan if plan is not none else ref('base_sales__raw_load_plan') -%}
    {%- if not execute or adapter.get_relation(plan.database, plan.schema, plan.identifier) is none -%}
        {{ return(raw_input_file_list(source('raw_sales', 'order_line_files'))) }}
    {%- endif -%}
    {%- set listing = run_query(
        "select source_file from " ~ plan ~ " where load_action = 'load' order by source_file"
    ) -%}
    {%- set files = [] -%}
    {%- for path in listing.columns[0].values() -%}
        {%- do files.append({'path': path, 'kind': raw_file_kind(path)}) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}


{#-
    Post-hook of base_sales__raw_load_plan. A kept file's lines may change status because of
    another file: a line is a duplicate_line, or the first of its group, by what the other files
    hold. So a kept file is loaded again when one of its records has the hash of a line in a file
    this build loads (its new text) or of a record of a file it loads again or removes (its old
    text), and, when a file it loads has a line that may open a record spanning lines, when it
    has such a record itself. Renders nothing when no file is kept or none changes.
-#}
{% macro raw_sales_load_neighbours(plan, order_lines) -%}
    {%- if not execute or order_lines is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set counts = run_query(
        "select count(*) filter (where load_action = 'keep'), count(*) filter (where load_action <> 'keep') from " ~ plan
    ).rows[0] -%}
    {%- if counts[0] == 0 or counts[1] == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set files = raw_sales_files_to_load(plan) -%}
    {%- set csv_paths = files | selectattr('kind', 'equalto', 'csv') | map(attribute='path') | list -%}
    {%- set parts = [] -%}
    {%- if csv_paths -%}
        {%- do parts.append(csv_file_lines(csv_paths, raw_utf8_copies(csv_paths), var('raw_encoding'))) -%}
    {%- endif -%}
    {%- for path in files | selectattr('kind', 'equalto', 'parquet') | map(attribute='path') -%}
        {%- do parts.append(parquet_file_lines(path)) -%}
    {%- endfor -%}
    {%- set spreadsheets = files | selectattr('kind', 'equalto', 'xlsx') | map(attribute='path') | list -%}
    {%- if spreadsheets -%}
        {%- do parts.append(
            'select source_file, source_line_number, cast(null as varchar) as line, fields, typed_numbers from '
            ~ ref('base_sales__raw_spreadsheet_rows') ~ ' where list_contains(' ~ sql_list(spreadsheets) ~ ', source_file)'
        ) -%}
    {%- endif -%}
    update {{ plan }}
    set load_action = 'load', load_reason = 'shares a line with a file this build loads or removes'
    where load_action = 'keep' and source_file in (
        with

        loaded_lines as (
            {%- if parts %}
            {{ parts | join('\nunion all\n') }}
            {%- else %}
            select cast(null as varchar) as line, cast(null as varchar[]) as fields where false
            {%- endif %}
        ),

        changed_hashes as (
            select {{ text_hash('coalesce(line, ' ~ list_join('fields', 'chr(31)') ~ ')') }} as record_hash
            from loaded_lines
            where line is not null or fields is not null
            union
            select order_lines.record_hash
            from {{ order_lines }} as order_lines
            inner join {{ plan }} as plan
                on order_lines.source_file = plan.source_file and plan.load_action <> 'keep'
        ),

        kept_records as (
            select order_lines.source_file, order_lines.record_hash, order_lines.source_line_count
            from {{ order_lines }} as order_lines
            inner join {{ plan }} as plan
                on order_lines.source_file = plan.source_file and plan.load_action = 'keep'
        )

        select kept_records.source_file
        from kept_records
        semi join changed_hashes on kept_records.record_hash = changed_hashes.record_hash
        union
        select source_file
        from kept_records
        where source_line_count > 1
            and exists (select 1 from loaded_lines where {{ has_odd_quotes('line') }})
    )
{%- endmacro %}


{#-
    Post-hook of the incremental Python models that keep what they read from each raw file
    (base_sales__raw_transcoded_files, base_sales__raw_spreadsheet_rows): deletes the rows of
    files that are gone or whose fingerprint changed since, so the table holds only rows of the
    files behind raw_sales_path as they are now. With keep=false, every row.
-#}
{% macro delete_rows_of_changed_files(relation, keep=true) -%}
    delete from {{ relation }}
    {%- if keep %}
    where not exists (
        select 1
        from {{ ref('base_sales__raw_file_fingerprints') }} as current_files
        where current_files.source_file = {{ relation }}.source_file
            and current_files.file_fingerprint = {{ relation }}.file_fingerprint
    )
    {%- endif %}
{%- endmacro %}



{#-
    The file loads the order lines `order_lines` hold: (load_id, source_file, source_file_load,
    the hash int_orders_aggregated records per order in source_file_loads).
-#}
{% macro file_loads(order_lines) -%}
    select load_id, source_file, {{ text_hash('load_id, source_file') }} as source_file_load
    from (select distinct load_id, source_file from {{ order_lines }})
{%- endmacro %}


{#-
    The file loads among `current_loads` (file_loads of the order lines now) that `relation`, an
    incremental table whose rows record in source_file_loads the file loads their lines came
    from, has not seen: a new file, or one loaded again. (load_id, source_file). DuckDB.
-#}
{% macro new_file_loads(relation, current_loads) -%}
    select current_loads.load_id, current_loads.source_file
    from {{ current_loads }} as current_loads
    anti join (select distinct unnest(source_file_loads) as source_file_load from {{ relation }}) as recorded_loads
        on current_loads.source_file_load = recorded_loads.source_file_load
{%- endmacro %}


{#-
    The `keys` (a list of column names) of the rows of `relation`, an incremental table whose
    rows record in source_file_loads the file loads their lines came from, that an incremental
    build must compute again or delete: a load of theirs not among `current_loads` (file_loads
    of the order lines now: the file changed, was loaded again or was removed since), or no
    loads recorded (a table from before the column). DuckDB.
-#}
{% macro keys_of_gone_loads(relation, current_loads, keys) -%}
    {%- set listed = keys | join(', ') %}
    with

    recorded_loads as (
        select {{ listed }}, unnest(source_file_loads) as source_file_load
        from {{ relation }}
    )

    select distinct {% for key in keys %}recorded_loads.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
    from recorded_loads
    anti join {{ current_loads }} as current_loads on recorded_loads.source_file_load = current_loads.source_file_load
    union
    select {{ listed }}
    from {{ relation }}
    where source_file_loads is null or len(source_file_loads) = 0
{%- endmacro %}
