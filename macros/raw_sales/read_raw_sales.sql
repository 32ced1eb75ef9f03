{#- A SQL string literal for a Jinja value: 'it''s' -#}
{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- Is this raw file Parquet (by extension)? Everything else is read as CSV. -#}
{% macro is_parquet_path(path) -%}
    {{ return(modules.re.match('.*[.](parquet|pq)$', path | lower | trim) is not none) }}
{%- endmacro %}


{#- The line number of a raw file's first data row: 2 in a CSV (line 1 is the header), 1 in Parquet. -#}
{% macro raw_first_line_number(file) -%}
    {{ return(1 if is_parquet_path(file) else 2) }}
{%- endmacro %}


{#-
    Are the raw sales files Parquet? Decided from raw_sales_path (a file or a glob) by extension,
    so it is known when dbt parses the project (base_sales__raw_lines picks its materialization
    from it). A glob that does not end in .parquet is read file by file as CSV or Parquet.
-#}
{% macro raw_sales_are_parquet() -%}
    {{ return(is_parquet_path(var('raw_sales_path'))) }}
{%- endmacro %}


{#- The table function that reads one raw file, every column as text (Parquet: typed, with file_row_number when asked). -#}
{% macro raw_file_reader(file, row_numbers=false) -%}
    {%- if is_parquet_path(file) -%}
        read_parquet({{ sql_string(file) }}{{ ", file_row_number = true" if row_numbers }})
    {%- else -%}
        read_csv({{ sql_string(file) }}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
    {%- endif -%}
{%- endmacro %}


{#-
    The files behind a raw path (a file or a glob), checked before anything is read:
    the glob matches at least one file, no file is empty, every file has the layout's columns
    and at least one data row. Any failure stops the build with a message naming the file and
    the problem. At parse time (no database yet) it returns the path unchecked.
-#}
{% macro raw_input_files(path, required_columns, what) %}
    {%- if not execute -%}
        {{ return([path]) }}
    {%- endif -%}
    {%- set listing = run_query("select file from glob(" ~ sql_string(path) ~ ") order by file") -%}
    {%- set files = listing.columns[0].values() | list -%}
    {%- if files | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            what ~ " path '" ~ path ~ "' matches no file (relative paths are read from the directory dbt runs in)") }}
    {%- endif -%}
    {%- for file in files -%}
        {%- set size = run_query("select size from read_blob(" ~ sql_string(file) ~ ")").columns[0].values()[0] -%}
        {%- if size == 0 -%}
            {{ exceptions.raise_compiler_error(what ~ " file '" ~ file ~ "' is empty (0 bytes)") }}
        {%- endif -%}
        {%- set described = run_query("describe select * from " ~ raw_file_reader(file)) -%}
        {%- set found = described.columns[0].values() | list -%}
        {%- set missing = [] -%}
        {%- for column in required_columns if column not in found -%}
            {%- do missing.append(column) -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                what ~ " file '" ~ file ~ "' is missing column(s) " ~ ("'" ~ missing | join("', '") ~ "'")
                ~ " (found: " ~ found | join(', ') ~ ")") }}
        {%- endif -%}
        {%- set has_rows = run_query("select count(*) from (select 1 from " ~ raw_file_reader(file) ~ " limit 1) as first_row").columns[0].values()[0] -%}
        {%- if has_rows == 0 -%}
            {{ exceptions.raise_compiler_error(what ~ " file '" ~ file ~ "' has a header but no data rows") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(files) }}
{% endmacro %}


{#- The raw sales files for the configured path and layout, checked. -#}
{% macro raw_sales_files() %}
    {%- set headers = [] -%}
    {%- for header, name in raw_sales_layout() -%}
        {%- do headers.append(header) -%}
    {%- endfor -%}
    {{ return(raw_input_files(var('raw_sales_path'), headers, "raw sales (" ~ var('raw_sales_format') ~ ")")) }}
{% endmacro %}


{#-
    Every raw line of every file, one scan, in file order: the layout's columns as text named
    raw_<name>, the file it came from (source_file, and source_file_index, its 1-based position
    in name order) and first_line_number, the line number of the file's first data row (2 for
    CSV, where the header is line 1; 1 for Parquet rows).
    Only Parquet files can say which row a row is (file_row_number) without slowing the scan:
    with parquet_row_numbers, each row gets source_line_number. CSV lines get none here:
    numbering in the scan (row_number() over ()) made the whole parse single-threaded; stored as
    a table in this order (base_sales__raw_lines), each line's rowid gives its number instead.
-#}
{% macro read_raw_sales(parquet_row_numbers=false) %}
    {%- set layout = raw_sales_layout() -%}
    {%- set files = raw_sales_files() -%}
    {%- for file in files %}
    select
        cast({{ sql_string(file) }} as {{ dbt.type_string() }}) as source_file,
        cast({{ loop.index }} as bigint) as source_file_index,
        cast({{ raw_first_line_number(file) }} as integer) as first_line_number,
        {%- if parquet_row_numbers %}
        cast(file_row_number + 1 as bigint) as source_line_number,
        {%- endif %}
        {%- for header, name in layout %}
        cast({{ adapter.quote(header) }} as {{ dbt.type_string() }}) as raw_{{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ raw_file_reader(file, row_numbers=parquet_row_numbers) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}


{#-
    The customers file, if any: the var raw_customers_path, or the sample's customers file when
    raw_sales_path is the sample and the var is unset. Returns [] when there is none.
-#}
{% macro raw_customers_files() %}
    {%- set path = var('raw_customers_path') -%}
    {%- if path is none and var('raw_sales_path') == 'data/sample/sales_data.csv' -%}
        {%- set path = 'data/sample/customers.csv' -%}
    {%- endif -%}
    {%- if not path -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(raw_input_files(path, ['customer_id', 'age', 'gender', 'income', 'country'], 'customers')) }}
{% endmacro %}
