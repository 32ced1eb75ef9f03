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
    With raw_encoding cp1252, the UTF-8 copies of the CSV files `csv_paths`
    (base_sales__raw_transcoded_files) as {copy: original file}, to be read in their place; {} for every other encoding.
-#}
{% macro raw_utf8_copies(csv_paths) -%}
    {%- set copies = {} -%}
    {%- if var('raw_encoding') == 'cp1252' -%}
        {%- set transcoded = ref('base_sales__raw_transcoded_files') -%}
        {%- if execute and csv_paths -%}
            {%- for row in run_query('select source_file, utf8_file from ' ~ transcoded).rows if row[0] in csv_paths -%}
                {%- do copies.update({row[1]: row[0]}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(copies) }}
{%- endmacro %}


{#-
    Every physical line of the CSV files `paths`, as text, in file order, with its file name
    (source_file, source_line_number, line, fields, typed_numbers: fields and typed_numbers
    NULL, and on DuckDB the number NULL: it comes from the table's rowid, raw_line_number). No
    delimiter and no quote: a line is never split or joined here. Both CRLF and LF end a line
    (mixed in one file too); an empty line is a NULL line; a UTF-8 byte-order mark is dropped.
    `utf8_copies` ({copy: original}) are read in place of the originals, under their names.
-#}
{% macro csv_file_lines(paths, utf8_copies, encoding) -%}
    {{ return(adapter.dispatch('csv_file_lines')(paths, utf8_copies, encoding)) }}
{%- endmacro %}

{#-
    DuckDB: lines that cannot be decoded in the encoding (or are longer than 64 MB) go to
    DuckDB's reject table, which raw_lines_read_check turns into one clear error.
-#}
{% macro duckdb__csv_file_lines(paths, utf8_copies, encoding) -%}
    select
        {%- if utf8_copies %}
        case filename
            {%- for copy, source_file in utf8_copies.items() %}
            when {{ sql_string(copy) }} then {{ sql_string(source_file) }}
            {%- endfor %}
        end as source_file,
        {%- else %}
        filename as source_file,
        {%- endif %}
        cast(null as bigint) as source_line_number,
        line,
        cast(null as varchar[]) as fields,
        cast(null as boolean[]) as typed_numbers
    from read_csv(
        [{% for path in (utf8_copies.keys() | list if utf8_copies else paths) %}{{ sql_string(path) }}{{ ", " if not loop.last }}{% endfor %}],
        auto_detect = false,
        header = false,
        columns = {'line': 'VARCHAR'},
        delim = '\0',
        quote = '',
        escape = '',
        new_line = '\r\n',
        strict_mode = false,
        encoding = {{ sql_string('utf-8' if utf8_copies else encoding) }},
        max_line_size = 67108864,
        filename = true,
        store_rejects = true
    )
{%- endmacro %}

{#-
    Spark: its text reader, one read of raw_sales_path (UTF-8 only: validate_project_vars
    refuses another raw_encoding on Spark). A line's number is its place in its file: Spark
    reads a file's splits in order, and monotonically_increasing_id() grows along them, so
    numbering each file's rows by it counts the lines in file order. A byte Spark could not
    decode as UTF-8 became U+FFFD, which raw_lines_read_check refuses. A lone CR also ends a
    line here (DuckDB keeps it inside the line).
-#}
{% macro spark__csv_file_lines(paths, utf8_copies, encoding) -%}
    select
        source_file,
        source_line_number,
        case
            when source_line_number = 1 then nullif(regexp_replace(line, '^\uFEFF', ''), '')
            else nullif(line, '')
        end as line,
        cast(null as array<string>) as fields,
        cast(null as array<boolean>) as typed_numbers
    from (
        select
            source_file,
            cast(row_number() over (partition by source_file order by read_position) as bigint) as source_line_number,
            line
        from (
            select
                {{ spark_file_path('input_file_name()') }} as source_file,
                monotonically_increasing_id() as read_position,
                value as line
            from text.`{{ var('raw_sales_path') }}`
        ) as read_lines
    ) as numbered_lines
{%- endmacro %}


{#- A file's path as both of Spark's listings give it: without the file: scheme. -#}
{% macro spark_file_path(expr) -%}
    regexp_replace({{ expr }}, '^file:/*', '/')
{%- endmacro %}


{#-
    Post-hook of a model that read CSV lines: stops the build (and keeps what was built before)
    when DuckDB could not read a line: not valid in raw_encoding, or longer than 64 MB. Renders
    nothing when no CSV file was read (no reject table then).
-#}
{% macro raw_lines_read_check(what) -%}
    {{ return(adapter.dispatch('raw_lines_read_check')(what)) }}
{%- endmacro %}

{% macro duckdb__raw_lines_read_check(what) -%}
    {%- set files = raw_sales_files_to_load() -%}
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

{#- Spark: a line holding U+FFFD is a byte its UTF-8 reader could not decode. -#}
{% macro spark__raw_lines_read_check(what) -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select source_file, source_line_number from " ~ this ~ " where contains(line, " ~ unicode_char(65533) ~ ")"
            ~ " order by source_file, source_line_number limit 1"
        ) -%}
        {%- for row in found.rows -%}
            {{ exceptions.raise_compiler_error(
                what ~ " file '" ~ row[0] ~ "' line " ~ row[1] ~ ": is not valid utf-8 text. On Spark the raw files"
                ~ " must be UTF-8: save the file as UTF-8 (Excel: CSV UTF-8), or build it on DuckDB, which reads"
                ~ " cp1252, latin-1 and utf-16 (raw_encoding).") }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#-
    The rows of one Parquet file as raw lines: a header row (line 0) holding the column names,
    then each row (line = its 1-based row) with its values as text. Typed columns (DATE,
    TIMESTAMP, DOUBLE, DECIMAL, integers) become their canonical text; typed_numbers marks the
    numeric ones, whose text has a decimal point whatever the file's separator.
-#}
{% macro parquet_file_lines(path) -%}
    {%- set described = run_query("describe select * from read_parquet(" ~ sql_string(path) ~ ")") -%}
    {%- set columns = described.columns[0].values() | list -%}
    {%- set numeric_types = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
        'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE', 'DECIMAL'] -%}
    {%- set typed = [] -%}
    {%- for column_type in described.columns[1].values() -%}
        {%- do typed.append('true' if column_type.split('(')[0] in numeric_types else 'false') -%}
    {%- endfor -%}
    select
        {{ sql_string(path) }} as source_file,
        cast(0 as bigint) as source_line_number,
        cast(null as varchar) as line,
        [{% for column in columns %}{{ sql_string(column) }}{{ ", " if not loop.last }}{% endfor %}] as fields,
        cast(null as boolean[]) as typed_numbers
    union all
    select
        {{ sql_string(path) }} as source_file,
        cast(file_row_number + 1 as bigint) as source_line_number,
        cast(null as varchar) as line,
        [{% for column in columns %}cast({{ adapter.quote(column) }} as varchar){{ ", " if not loop.last }}{% endfor %}] as fields,
        [{{ typed | join(', ') }}] as typed_numbers
    from read_parquet({{ sql_string(path) }}, file_row_number = true)
{%- endmacro %}


{#-
    The number of a raw line in its file (the header is line 1): Parquet and spreadsheet rows
    carry theirs; on DuckDB a CSV line's is its distance from its file's first rowid in the raw
    lines table (`first_rowid` comes from base_sales__raw_files). A Parquet-only raw lines
    relation is a view, which has no rowid. Spark numbers its lines as it reads them.
-#}
{% macro raw_line_number(raw_lines, first_rowid) -%}
    {{ return(adapter.dispatch('raw_line_number')(raw_lines, first_rowid)) }}
{%- endmacro %}

{% macro duckdb__raw_line_number(raw_lines, first_rowid) -%}
    {%- if raw_sales_are_parquet() -%}
        {{ raw_lines }}.source_line_number
    {%- else -%}
        coalesce({{ raw_lines }}.source_line_number, {{ raw_lines }}.rowid - {{ first_rowid }} + 1)
    {%- endif -%}
{%- endmacro %}

{% macro spark__raw_line_number(raw_lines, first_rowid) -%}
    {{ raw_lines }}.source_line_number
{%- endmacro %}


{#-
    Where a raw CSV line sits in the raw lines table, counting along its file: DuckDB's rowid
    (first_rowid is the smallest of a file), Spark's line number (its first is 1).
-#}
{% macro raw_line_position(raw_lines) -%}
    {{ return(adapter.dispatch('raw_line_position')(raw_lines)) }}
{%- endmacro %}

{% macro duckdb__raw_line_position(raw_lines) -%}
    {{ raw_lines }}.rowid
{%- endmacro %}

{% macro spark__raw_line_position(raw_lines) -%}
    {{ raw_lines }}.source_line_number
{%- endmacro %}


{#-
    Post-hook that stops the build with one clear line: `problems_sql` selects (source_file,
    problem); the first file with a problem (by name) is reported as "<what> '<file>' <problem>".
    The model's transaction is rolled back, so what was built before stays as it was.
-#}
{% macro raise_first_problem(problems_sql, what) -%}
    {{ return(adapter.dispatch('raise_first_problem')(problems_sql, what)) }}
{%- endmacro %}

{% macro duckdb__raise_first_problem(problems_sql, what) -%}
    select error({{ sql_string(what) }} || ' ''' || source_file || ''' ' || problem)
    from ({{ problems_sql }}) as problems
    where problem is not null
    qualify row_number() over (order by source_file) = 1
{%- endmacro %}

{#-
    Spark has no transactions: the model's table is already replaced when this runs, but the
    error stops every model downstream of it, so no mart changes.
-#}
{% macro spark__raise_first_problem(problems_sql, what) -%}
    {%- if execute -%}
        {%- set found = run_query(
            "select source_file, problem from (" ~ problems_sql ~ ") as problems where problem is not null"
            ~ " order by source_file limit 1"
        ) -%}
        {%- for row in found.rows -%}
            {{ exceptions.raise_compiler_error(what ~ " '" ~ row[0] ~ "' " ~ row[1]) }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#-
    A post-hook that logs how each raw file is read (delimiter, date order, decimal separator and
    why), so a file whose dates could not tell their order, or whose numbers their separator,
    says so in the build's output. Renders no SQL.
-#}
{% macro log_raw_file_conventions(relation) -%}
    {%- if execute -%}
        {%- set files = run_query(
            "select source_file, delimiter, date_order, date_order_reason, decimal_separator, decimal_separator_reason,"
            ~ " is_date_order_known from " ~ relation ~ " where problem is null order by source_file_index"
        ) -%}
        {%- for file in files.rows -%}
            {%- set delimiter = 'tab' if file[1] == '\t' else (file[1] or 'none (already split)') -%}
            {%- set dates = 'of no known order' if file[6] == false else file[2] -%}
            {{ log("raw sales file '" ~ file[0] ~ "': delimiter " ~ delimiter ~ "; dates " ~ dates ~ " (" ~ file[3]
                ~ "); decimal separator '" ~ file[4] ~ "' (" ~ file[5] ~ ")", info=true) }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#-
    Where DuckDB's raw_record_rows writes the UTF-8 copies it reads, beside the warehouse (not
    in base_sales__raw_transcoded_files' directory, which that model may delete while another
    model reads a copy).
-#}
{% macro raw_record_copies_directory() -%}
    {{ return(target.path ~ '.records') }}
{%- endmacro %}


{#-
    After every dbt command (on-run-end), whether it failed or not: the copies raw_record_rows
    read are deleted. Only the model that wrote them reads them, while it runs, and a customers
    file's copy is not to stay on disk after the build. Spark makes no copies.
-#}
{% macro remove_raw_record_copies() -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- do run_query('select raw_remove_record_copies(' ~ sql_string(raw_record_copies_directory()) ~ ')') -%}
    {%- endif -%}
{%- endmacro %}


{#-
    The rows of a row-per-record input (the customers file, the experiment assignments): every
    file `files_source` lists, read as text in raw_encoding with its header (each file's columns
    found by name, in whatever order it has them, under title lines if it has them), as
    source_file and raw_<column> for each of `columns`, plus malformed_line_number and
    malformed_line: a line that does not split into the header's fields is a row of its own
    with its text, its number (where it is known) and no values. With no file, no rows and the
    same columns, so the model's parse and checks run the same way. `what` names such a file in
    an error, and `path_var` the var that finds it.
    A workbook's typed numbers are written with `decimal_separator` ('.', ',' or 'auto'; default
    raw_decimal_separator), the separator the model reads the file's text numbers with.
-#}
{% macro raw_record_rows(files_source, columns, what, path_var, read=true, decimal_separator=none) -%}
    {{ return(adapter.dispatch('raw_record_rows')(files_source, columns, what, path_var, read, decimal_separator)) }}
{%- endmacro %}

{#-
    DuckDB: its CSV reader, one read per file. It reads UTF-8, latin-1 and UTF-16 itself; a
    cp1252 file (Excel on Windows) and an .xlsx workbook's first sheet are read from a UTF-8 CSV
    copy beside the warehouse, under the file's own name, and a UTF-8 file is checked first, so
    that a file in another encoding stops the build naming raw_encoding
    (retail_segmentation.raw_text, through the profile's plugin). The header is the first of the
    first 50 lines that names every one of `columns` (raw_record_header), so title and blank
    lines above it are skipped, and its delimiter is the one it was found under. A column is
    found under its name in any case, with blanks or underscores (Customer ID, CustomerID and
    customer_id: normalized_header); a file without one of `columns`, or with two headers for
    one, stops the build naming the file and the column.
    The reader is strict (RFC 4180 quotes, the header's number of fields), and a line it cannot
    read is kept in its rejects table (store_rejects) rather than stopping the read: it is a row
    of its own, with malformed_line (its text) and malformed_line_number. The rows and the
    rejects are read once, when the model is compiled, into temporary tables of the model's
    connection, which dbt also runs the model on. A line of delimiters only is no row.
-#}
{% macro duckdb__raw_record_rows(files_source, columns, what, path_var, read=true, decimal_separator=none) -%}
    {%- set files = raw_input_file_list(files_source) if read else [] -%}
    {%- set encoding = var('raw_encoding') %}
    {%- set reader_encoding = encoding if encoding in ['latin-1', 'utf-16'] else 'utf-8' %}
    {%- set reads = [] %}
    {%- if execute and files %}
        {%- set found = run_query(
            "select file, raw_record_file_to_read(file, " ~ sql_string(encoding) ~ ", "
            ~ sql_string(raw_record_copies_directory()) ~ ", " ~ sql_string(what) ~ ", " ~ sql_string(path_var) ~ ", "
            ~ sql_string(decimal_separator or var('raw_decimal_separator')) ~ ") from unnest("
            ~ sql_list(files | map(attribute='path') | list) ~ ") as files(file) order by file"
        ) %}
        {%- for source_file, read_path in found.rows %}
            {#- a copy is UTF-8 -#}
            {%- set read_encoding = reader_encoding if read_path == source_file else 'utf-8' %}
            {%- set header = fromjson(run_query(
                "select raw_record_header(" ~ sql_string(read_path) ~ ", " ~ sql_string(read_encoding) ~ ", "
                ~ sql_list(columns) ~ ")"
            ).columns[0].values()[0]) %}
            {%- set positions = [] %}
            {%- for column in columns %}
                {%- set matches = [] %}
                {%- set matched_names = [] %}
                {%- for key in header['keys'] %}
                    {%- if key == column | replace('_', '') %}
                        {%- do matches.append(loop.index) %}
                        {%- do matched_names.append(header['fields'][loop.index0]) %}
                    {%- endif %}
                {%- endfor %}
                {%- if matches | length != 1 %}
                    {{ exceptions.raise_compiler_error(
                        what ~ " '" ~ source_file ~ "' has " ~ ('no column ' if not matches else 'more than one column for ')
                        ~ column ~ (' (' ~ matched_names | join(', ') ~ ')' if matches else '')
                        ~ ". Its header: " ~ header['fields'] | join(', ') ~ ". It needs " ~ columns | join(', ')
                        ~ " (in any case, with blanks or underscores), each once. Nothing was replaced.") }}
                {%- endif %}
                {%- do positions.append(matches[0]) %}
            {%- endfor %}
            {%- set field_list = [] %}
            {%- set field_types = [] %}
            {%- for _ in header['fields'] %}
                {%- do field_list.append('field_' ~ loop.index) %}
                {%- do field_types.append("'field_" ~ loop.index ~ "': 'VARCHAR'") %}
            {%- endfor %}
            {#- the temporary tables' names: raw_record_customers_file_1_rows, ..._rejects, ..._scans -#}
            {%- set prefix = 'raw_record_' ~ modules.re.sub('[^a-z0-9]+', '_', what | lower) ~ '_' ~ loop.index %}
            {%- set tables = 'temp.main.' ~ prefix %}
            {%- do run_query(
                "drop table if exists " ~ tables ~ "_rejects; drop table if exists " ~ tables ~ "_scans;"
                ~ " create or replace temp table " ~ prefix ~ "_rows as select * from read_csv("
                ~ sql_string(read_path) ~ ", header = false, skip = " ~ (header['line_index'] + 1)
                ~ ", auto_detect = false, columns = {" ~ field_types | join(', ') ~ "}, delim = "
                ~ sql_string(header['delimiter']) ~ ", quote = '\"', escape = '\"', encoding = " ~ sql_string(read_encoding)
                ~ ", ignore_errors = true, store_rejects = true, rejects_table = '" ~ prefix ~ "_rejects'"
                ~ ", rejects_scan = '" ~ prefix ~ "_scans')"
            ) %}
            {%- set has_rejects = run_query("select count(*) > 0 from " ~ tables ~ "_rejects").columns[0].values()[0] %}
            {#- a record whose quoted field holds a line break is one line to the reader's numbers -#}
            {%- set spans_lines = has_rejects and run_query(
                "select count(*) > 0 from " ~ tables ~ "_rows where contains(concat_ws('', " ~ field_list | join(', ')
                ~ "), chr(10))"
            ).columns[0].values()[0] %}
            {%- do reads.append({
                'source_file': source_file, 'tables': tables, 'positions': positions, 'fields': field_list,
                'delimiter': header['delimiter'], 'has_rejects': has_rejects, 'spans_lines': spans_lines,
            }) %}
        {%- endfor %}
    {%- endif %}
    {%- for read in reads %}
    select
        {{ sql_string(read.source_file) }} as source_file,
        cast(null as bigint) as malformed_line_number,
        cast(null as varchar) as malformed_line,
        {%- for column in columns %}
        field_{{ read.positions[loop.index0] }} as raw_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ read.tables }}_rows
    where coalesce({{ read.fields | join(', ') }}) is not null
    {%- if read.has_rejects %}

    union all

    {#- The reader's rejects, one row per line it numbers (a line with two faults is in them
        twice). A quote that is never closed makes the reader take the lines up to the next
        quote as one record, so such a record's lines are read one by one, as the sales lines
        are: a well-formed line with the header's fields is a row, and only the others are
        malformed; a stray quote costs its line, not the lines after it. #}
    select
        {{ sql_string(read.source_file) }} as source_file,
        {%- if read.spans_lines %}
        cast(null as bigint) as malformed_line_number,
        {%- else %}
        case when not is_record then line_number end as malformed_line_number,
        {%- endif %}
        case when not is_record then piece end as malformed_line,
        {%- for column in columns %}
        case when is_record then record_fields[{{ read.positions[loop.index0] }}] end as raw_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            line + piece_position - 1
                -- the lines of the records before it that the reader took as one
                + coalesce(sum(case when piece_position = 1 then len(pieces) - 1 end) over (
                    order by line range between unbounded preceding and 1 preceding
                ), 0) as line_number,
            piece,
            {{ split_raw_fields('piece', sql_string(read.delimiter)) }} as record_fields,
            len(pieces) > 1
                and {{ is_well_formed_record('piece', sql_string(read.delimiter)) }}
                and len({{ split_raw_fields('piece', sql_string(read.delimiter)) }}) = {{ read.fields | length }}
                as is_record
        from (
            select
                line,
                pieces,
                {{ unnest_with_position('pieces', 'piece', 'piece_position') }}
            from (
                select
                    line,
                    list_transform(string_split(trim(min(csv_line), chr(13) || chr(10)), chr(10)), lambda piece: rtrim(piece, chr(13)))
                        as pieces
                from {{ read.tables }}_rejects
                group by line
            ) as rejected
        ) as rejected_lines
    ) as checked_lines
    where not {{ is_blank_line('piece', sql_string(read.delimiter)) }}
    {%- endif %}
    {{ "union all" if not loop.last }}
    {%- else %}
    select
        cast(null as varchar) as source_file,
        cast(null as bigint) as malformed_line_number,
        cast(null as varchar) as malformed_line,
        {%- for column in columns %}
        cast(null as varchar) as raw_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- endfor %}
{%- endmacro %}

{#-
    Spark: the lines of each file, its header split by the first of , ; tab | it holds, and
    each column taken from the field under its name, found as on DuckDB (normalized_header; NULL
    when the header lacks it). The header is the first of the first 50 lines that names every
    one of `columns` (line 1 when none does), as on DuckDB. Quoted fields follow the same rules
    as the sales lines (split_raw_fields); a line that is not a well-formed record with the
    header's number of fields is malformed (its text and number, no values), and so is each
    line of a quoted field that holds a line break, which DuckDB's reader reads as one record,
    and a line with a quote inside an unquoted field (1"1), which DuckDB's reader keeps as
    text. A line of blanks and delimiters is no row.
-#}
{% macro spark__raw_record_rows(files_source, columns, what, path_var, read=true, decimal_separator=none) -%}
    {%- set files = raw_input_file_list(files_source) if read else [] -%}
    {%- set header_keys = [] -%}
    {%- for column in columns %}{% do header_keys.append(sql_string(column | replace('_', ''))) %}{% endfor -%}
    {%- if files %}
    select
        source_file,
        case when is_malformed then source_line_number end as malformed_line_number,
        case when is_malformed then line end as malformed_line,
        {%- for column in columns %}
        {%- set header_key = sql_string(column | replace('_', '')) %}
        case
            when not is_malformed and array_position(header.fields, {{ header_key }}) > 0
                then element_at(record_fields, cast(array_position(header.fields, {{ header_key }}) as int))
        end as raw_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            lines.*,
            {{ split_raw_fields('lines.line', 'lines.header.delimiter') }} as record_fields,
            not {{ is_well_formed_record('lines.line', 'lines.header.delimiter') }}
                or {{ list_length(split_raw_fields('lines.line', 'lines.header.delimiter')) }} <> {{ list_length('lines.header.fields') }}
                as is_malformed
        from (
            select
                source_file,
                source_line_number,
                line,
                coalesce(
                    min(case when is_header then header end) over by_file,
                    min(case when source_line_number = 1 then header end) over by_file
                ) as header
            from (
                select
                    source_file,
                    source_line_number,
                    line,
                    named_struct('line_number', source_line_number, 'fields', fields, 'delimiter', delimiter) as header,
                    forall(array({{ header_keys | join(', ') }}), header_key -> array_contains(fields, header_key)) as is_header
                from (
                    select
                        source_file,
                        source_line_number,
                        line,
                        delimiter,
                        case
                            when source_line_number <= 50
                                then transform({{ split_raw_fields('line', 'delimiter') }}, name -> {{ normalized_header('name') }})
                        end as fields
                    from (
                        select
                            source_file,
                            row_number() over (partition by source_file order by read_position) as source_line_number,
                            regexp_replace(line, '^\uFEFF', '') as line,
                            case
                                when contains(line, ',') then ','
                                when contains(line, ';') then ';'
                                when contains(line, chr(9)) then chr(9)
                                when contains(line, '|') then '|'
                                else ','
                            end as delimiter
                        from (
                            {%- for file in files %}
                            select
                                {{ sql_string(file.path) }} as source_file,
                                monotonically_increasing_id() as read_position,
                                value as line
                            from text.`{{ file.path }}`
                            {{ "union all" if not loop.last }}
                            {%- endfor %}
                        ) as read_lines
                    ) as numbered
                ) as split_lines
            ) as header_candidates
            window by_file as (partition by source_file)
        ) as lines
        where lines.source_line_number > lines.header.line_number and not {{ is_blank_line('lines.line', 'lines.header.delimiter') }}
    ) as records
    {%- else %}
    select
        cast(null as string) as source_file,
        cast(null as bigint) as malformed_line_number,
        cast(null as string) as malformed_line,
        {%- for column in columns %}
        cast(null as string) as raw_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- endif %}
{%- endmacro %}


{#- The size of the raw files `paths` in megabytes (0 at parse time). -#}
{% macro raw_files_megabytes(paths) -%}
    {%- if not execute or not paths -%}
        {{ return(0) }}
    {%- endif -%}
    {{ return(adapter.dispatch('raw_files_megabytes')(paths)) }}
{%- endmacro %}

{% macro duckdb__raw_files_megabytes(paths) -%}
    {%- set sizes = run_query("select coalesce(sum(size), 0) from read_blob(" ~ sql_list(paths) ~ ")") -%}
    {{ return(sizes.columns[0].values()[0] / 1000000) }}
{%- endmacro %}

{% macro spark__raw_files_megabytes(paths) -%}
    {%- set sizes = run_query("select coalesce(sum(length), 0) from binaryFile.`" ~ var('raw_sales_path') ~ "`") -%}
    {{ return(sizes.columns[0].values()[0] / 1000000) }}
{%- endmacro %}


{#-
    The lines of each raw file counted by a second, independent read (source_file,
    recounted_lines), for the row-accounting test; no rows for no paths. A Parquet file counts
    its header row too, as the raw lines give it one.
-#}
{% macro recounted_raw_lines(csv_paths, parquet_paths) -%}
    {{ return(adapter.dispatch('recounted_raw_lines')(csv_paths, parquet_paths)) }}
{%- endmacro %}

{% macro duckdb__recounted_raw_lines(csv_paths, parquet_paths) -%}
    {%- set utf8_copies = raw_utf8_copies(csv_paths) %}
    {%- if utf8_copies %}
    -- cp1252 files: their UTF-8 copies (line breaks are the same bytes in both)
    select copies.source_file, count(*) as recounted_lines
    from ({{ duckdb__csv_file_lines(csv_paths, utf8_copies, 'utf-8') }}) as lines
    inner join {{ ref('base_sales__raw_transcoded_files') }} as copies on lines.source_file = copies.source_file
    group by copies.source_file
    {%- elif csv_paths %}
    select source_file, count(*) as recounted_lines
    from ({{ duckdb__csv_file_lines(csv_paths, {}, var('raw_encoding')) }}) as lines
    group by source_file
    {%- else %}
    select cast(null as varchar) as source_file, cast(null as bigint) as recounted_lines
    where false
    {%- endif %}
    {%- for path in parquet_paths %}
    union all
    select {{ sql_string(path) }}, count(*) + 1 from read_parquet({{ sql_string(path) }})
    {%- endfor %}
{%- endmacro %}

{#-
    Spark: each file's bytes (binaryFile), its line breaks counted (CRLF, LF or CR, as its text
    reader splits lines); a last line without a break counts too. A gzip file's bytes are
    compressed: it is not recounted here (its lines are still accounted for, check 2).
-#}
{% macro spark__recounted_raw_lines(csv_paths, parquet_paths) -%}
    {%- if csv_paths %}
    select
        {{ spark_file_path('path') }} as source_file,
        cast(
            size(split(decode(content, 'UTF-8'), '\r\n|\r|\n', -1))
            - case when decode(content, 'UTF-8') rlike '(\r\n|\r|\n)$' then 1 else 0 end
            as bigint
        ) as recounted_lines
    from binaryFile.`{{ var('raw_sales_path') }}`
    where length > 0 and not lower(path) like '%.gz'
    {%- else %}
    select cast(null as string) as source_file, cast(null as bigint) as recounted_lines
    where false
    {%- endif %}
{%- endmacro %}
