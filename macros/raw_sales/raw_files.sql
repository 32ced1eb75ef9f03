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
    [{path, kind}]. A glob that matches nothing stops the build here, before anything is read.
    At parse time (no database yet) it returns no files.
-#}
{% macro raw_input_file_list(files_source, path_var) %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set listing = run_query("select file from " ~ files_source ~ " order by file") -%}
    {%- set paths = listing.columns[0].values() | list -%}
    {%- if paths | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            path_var ~ " '" ~ var(path_var) ~ "' matches no file (relative paths are read from the directory dbt runs in;"
            ~ " a directory needs a glob, e.g. 'exports/*.csv')") }}
    {%- endif -%}
    {%- set files = [] -%}
    {%- for path in paths -%}
        {%- do files.append({'path': path, 'kind': raw_file_kind(path)}) -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}


{#- DuckDB's name for the raw_encoding var's encoding: cp1252 is read as latin-1, then translated. -#}
{% macro duckdb_csv_encoding(encoding) -%}
    {{ return({'utf-8': 'utf-8', 'utf-16': 'utf-16', 'latin-1': 'latin-1', 'cp1252': 'latin-1'}[encoding]) }}
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
        encoding = {{ sql_string(duckdb_csv_encoding(encoding)) }},
        max_line_size = 67108864,
        filename = true,
        store_rejects = true
    )
{%- endmacro %}


{#-
    cp1252 (what Excel on Windows writes) is latin-1 but for 27 characters in 0x80-0x9F, among
    them the euro sign and curly quotes: the file is read as latin-1 and those are translated.
-#}
{% macro cp1252_text(expr) -%}
    {%- set from_chars = [128, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 142, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 158, 159] -%}
    {%- set to_text = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ' -%}
    translate({{ expr }}, {% for code in from_chars %}chr({{ code }}){{ " || " if not loop.last }}{% endfor %}, {{ sql_string(to_text) }})
{%- endmacro %}


{#-
    Post-hook of a model that read CSV lines: stops the build (and keeps what was built before)
    when DuckDB could not read a line: not valid in raw_encoding, or longer than 64 MB.
-#}
{% macro raw_lines_read_check(what) -%}
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
