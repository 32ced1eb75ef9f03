{#-
    Reading raw files. CSV files are read as physical lines of text (one row per line, in file
    order, nothing split yet), so every line keeps its true number, a line DuckDB's CSV parser
    would refuse (too few or too many fields, a stray quote) can be quarantined instead of
    failing the build, and each file's delimiter, header and conventions can be decided in SQL.
    Parquet and spreadsheet rows arrive as lists of text fields with their row number.
-#}

{#- How a raw file is read, by its extension: parquet, xlsx or csv (anything else, .gz included). -#}
{% macro raw_file_kind(path) -%}
    {%- set lowered = path | lower | trim -%}
    {%- if modules.re.match('.*[.](parquet|pq)$', lowered) -%}
        {{ return('parquet') }}
    {%- elif lowered.endswith('.xlsx') -%}
        {{ return('xlsx') }}
    {%- else -%}
        {{ return('csv') }}
    {%- endif -%}
{%- endmacro %}


{#- Is every raw sales file Parquet? Known from the path alone, so at parse time. -#}
{% macro raw_sales_are_parquet() -%}
    {{ return(raw_file_kind(var('raw_sales_path')) == 'parquet') }}
{%- endmacro %}


{#-
    The files a source of raw files lists (its external_location is a glob), in name order, as
    [{path, kind}]. That a var's glob matches a file is checked once, before any node runs
    (check_raw_inputs); at parse time (no database yet) this returns no files.
-#}
{% macro raw_input_file_list(files_source) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set listing = run_query("select file from " ~ files_source ~ " order by file") -%}
    {%- set files = [] -%}
    {%- for path in listing.columns[0].values() -%}
        {%- do files.append({'path': path, 'kind': raw_file_kind(path)}) -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}


{#-
    With raw_encoding cp1252, the UTF-8 copies of the CSV files (base_sales__raw_transcoded_files)
    as {copy: original file}, to be read in their place; {} for every other encoding.
-#}
{% macro raw_utf8_copies(csv_paths) -%}
    {%- set copies = {} -%}
    {%- if var('raw_encoding') == 'cp1252' -%}
        {%- set transcoded = ref('base_sales__raw_transcoded_files') -%}
        {%- if execute and csv_paths -%}
            {%- for row in run_query('select source_file, utf8_file from ' ~ transcoded).rows -%}
                {%- do copies.update({row[1]: row[0]}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(copies) }}
{%- endmacro %}


{#-
    Every physical line of the CSV files `paths`, as text, in file order, with its file name.
    No delimiter and no quote: a line is never split or joined here. Both CRLF and LF end a line
    (mixed in one file too); an empty line is a NULL line; a UTF-8 byte-order mark is dropped.
    Lines that cannot be decoded in the encoding (or are longer than 64 MB) go to DuckDB's
    reject table, which raw_lines_read_check turns into one clear error.
-#}
{% macro csv_lines_reader(paths, encoding) -%}
    read_csv(
        [{% for path in paths %}{{ sql_string(path) }}{{ ", " if not loop.last }}{% endfor %}],
        auto_detect = false,
        header = false,
        columns = {'line': 'VARCHAR'},
        delim = '\0',
        quote = '',
        escape = '',
        new_line = '\r\n',
        strict_mode = false,
        encoding = {{ sql_string(encoding) }},
        max_line_size = 67108864,
        filename = true,
        store_rejects = true
    )
{%- endmacro %}


{#-
    Post-hook of a model that read CSV lines: stops the build (and keeps what was built before)
    when DuckDB could not read a line: not valid in raw_encoding, or longer than 64 MB. Renders
    nothing when no CSV file was read (no reject table then).
-#}
{% macro raw_lines_read_check(what) -%}
    {%- set files = raw_input_file_list(source('raw_sales', 'order_line_files')) -%}
    {%- if execute and not (files | selectattr('kind', 'equalto', 'csv') | list) -%}
        {{ return('') }}
    {%- endif -%}
    select error(
        {{ sql_string(what) }} || ' file ''' || scans.file_path || ''' line ' || cast(errors.line as varchar) || ': '
        || case
            when errors.error_type = 'INVALID ENCODING'
                then 'is not valid {{ var("raw_encoding") }} text. Set raw_encoding to the file''s encoding: '
                    || 'cp1252 or latin-1 (Excel on Windows, most European exports), utf-16 (Excel''s Unicode text), utf-8.'
            when errors.error_type = 'LINE SIZE OVER MAXIMUM'
                then 'is longer than 64 MB; a CSV line that long is not an order line.'
            else errors.error_message
        end
    )
    from reject_errors as errors
    inner join reject_scans as scans
        on errors.scan_id = scans.scan_id
        and errors.file_id = scans.file_id
    qualify row_number() over (order by scans.file_path, errors.line) = 1
{%- endmacro %}


{#-
    The rows of one Parquet file as raw lines: a header row (line 0) holding the column names,
    then each row (line = its 1-based row) with its values as text. Typed columns (DATE,
    TIMESTAMP, DOUBLE, DECIMAL, integers) become their canonical text.
-#}
{% macro parquet_file_lines(path) -%}
    {%- set columns = run_query("describe select * from read_parquet(" ~ sql_string(path) ~ ")").columns[0].values() | list -%}
    select
        {{ sql_string(path) }} as source_file,
        cast(0 as bigint) as source_line_number,
        cast(null as varchar) as line,
        [{% for column in columns %}{{ sql_string(column) }}{{ ", " if not loop.last }}{% endfor %}] as fields
    union all
    select
        {{ sql_string(path) }} as source_file,
        cast(file_row_number + 1 as bigint) as source_line_number,
        cast(null as varchar) as line,
        [{% for column in columns %}cast({{ adapter.quote(column) }} as varchar){{ ", " if not loop.last }}{% endfor %}] as fields
    from read_parquet({{ sql_string(path) }}, file_row_number = true)
{%- endmacro %}


{#-
    The number of a raw line in its file (the header is line 1): Parquet and spreadsheet rows
    carry theirs; a CSV line's is its distance from its file's first rowid in the raw lines
    table (`first_rowid` comes from base_sales__raw_files). A Parquet-only raw lines relation
    is a view, which has no rowid. rowid is DuckDB's; another engine needs its own row position.
-#}
{% macro raw_line_number(raw_lines, first_rowid) -%}
    {%- if raw_sales_are_parquet() -%}
        {{ raw_lines }}.source_line_number
    {%- else -%}
        coalesce({{ raw_lines }}.source_line_number, {{ raw_lines }}.rowid - {{ first_rowid }} + 1)
    {%- endif -%}
{%- endmacro %}


{#-
    Post-hook that stops the build with one clear line: `problems_sql` selects (source_file,
    problem); the first file with a problem (by name) is reported as "<what> '<file>' <problem>".
    The model's transaction is rolled back, so what was built before stays as it was.
-#}
{% macro raise_first_problem(problems_sql, what) -%}
    select error({{ sql_string(what) }} || ' ''' || source_file || ''' ' || problem)
    from ({{ problems_sql }}) as problems
    where problem is not null
    qualify row_number() over (order by source_file) = 1
{%- endmacro %}


{#-
    A post-hook that logs how each raw file is read (delimiter, date order, decimal separator and
    why), so a file read by its layout's convention because its dates could not tell says so in
    the build's output. Renders no SQL.
-#}
{% macro log_raw_file_conventions(relation) -%}
    {%- if execute -%}
        {%- set files = run_query(
            "select source_file, delimiter, date_order, date_order_reason, decimal_separator, decimal_separator_reason from "
            ~ relation ~ " where problem is null order by source_file_index"
        ) -%}
        {%- for file in files.rows -%}
            {%- set delimiter = 'tab' if file[1] == '\t' else (file[1] or 'none (already split)') -%}
            {{ log("raw sales file '" ~ file[0] ~ "': delimiter " ~ delimiter ~ "; dates " ~ file[2] ~ " (" ~ file[3]
                ~ "); decimal separator '" ~ file[4] ~ "' (" ~ file[5] ~ ")", info=true) }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#-
    The rows of a row-per-record input (the customers file, the experiment assignments): every
    file `files_source` lists, read as text with its header (files joined by column name), as
    source_file and raw_<column> for each of `columns`; with no file, no rows and the same
    columns, so the model's parse and checks run the same way.
-#}
{% macro raw_record_rows(files_source, columns) -%}
    {%- set files = raw_input_file_list(files_source) -%}
    {%- if files %}
    select
        filename as source_file,
        {%- for column in columns %}
        {{ column }} as raw_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from read_csv(
        {{ sql_list(files | map(attribute='path') | list) }},
        header = true,
        all_varchar = true,
        filename = true,
        union_by_name = true
    )
    {%- else %}
    select
        cast(null as varchar) as source_file,
        {%- for column in columns %}
        cast(null as varchar) as raw_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- endif %}
{%- endmacro %}
