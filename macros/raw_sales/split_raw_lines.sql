{#-
    Splitting a CSV line into fields, in SQL, by the file's delimiter (a column: each file has
    its own). Quotes follow RFC 4180: a field may be quoted, a quote inside a quoted field is
    doubled, and a quoted field may hold the delimiter.
-#}

{#-
    The fields of a CSV record, unquoted. A record without a quote is split at each delimiter.
    Otherwise the record is cut at its quotes: the odd pieces are outside quotes (their
    delimiters separate fields), the even ones inside (kept as they are); an empty outside
    piece between two inside ones is a doubled quote, so it becomes one quote. The pieces are
    joined again with the field separators marked by chr(31) and split there. Only a
    well-formed record (is_well_formed_record) splits into its true fields.
-#}
{% macro split_raw_fields(record, delimiter) -%}
    {{ return(adapter.dispatch('split_raw_fields')(record, delimiter)) }}
{%- endmacro %}

{% macro duckdb__split_raw_fields(record, delimiter) -%}
    case
        when not contains({{ record }}, '"') then string_split({{ record }}, {{ delimiter }})
        else string_split(
            array_to_string(
                list_transform(
                    string_split({{ record }}, '"'),
                    lambda piece, piece_index: case
                        when piece_index % 2 = 0 then piece
                        when piece = '' and piece_index > 1
                            and piece_index < len(string_split({{ record }}, '"')) then '"'
                        else replace(piece, {{ delimiter }}, chr(31))
                    end
                ),
                ''
            ),
            chr(31)
        )
    end
{%- endmacro %}

{#- Spark's lambda index counts from 0: the outside pieces are the even ones there -#}
{% macro spark__split_raw_fields(record, delimiter) -%}
    case
        when not contains({{ record }}, '"') then {{ split_text(record, delimiter) }}
        else split(
            array_join(
                transform(
                    split({{ record }}, '"', -1),
                    (piece, piece_index) -> case
                        when piece_index % 2 = 1 then piece
                        when piece = '' and piece_index > 0
                            and piece_index < size(split({{ record }}, '"', -1)) - 1 then '"'
                        else replace(piece, {{ delimiter }}, chr(31))
                    end
                ),
                ''
            ),
            chr(31),
            -1
        )
    end
{%- endmacro %}


{#-
    Is this record well-formed CSV for its delimiter: every field either unquoted (no quote in
    it) or wholly quoted with inner quotes doubled? A record without a quote always is. The
    patterns are constants per delimiter, so DuckDB compiles each once.
-#}
{% macro is_well_formed_record(record, delimiter) -%}
    {%- set delimiters = {',': ',', ';': ';', '\t': '\\t', '|': '\\|'} -%}
    (
        not contains({{ record }}, '"')
        or case {{ delimiter }}
            {%- for delimiter_char, pattern_char in delimiters.items() %}
            when {{ sql_string(delimiter_char) if delimiter_char != '\t' else 'chr(9)' }} then {{ regexp_matches_whole(
                record,
                '(?:"(?:[^"]|"")*"|[^' ~ pattern_char ~ '"]*)(?:' ~ pattern_char ~ '(?:"(?:[^"]|"")*"|[^' ~ pattern_char ~ '"]*))*'
            ) }}
            {%- endfor %}
        end
    )
{%- endmacro %}


{#- A line that holds no data: empty, or only blanks and delimiters (Excel's empty rows). -#}
{% macro is_blank_line(line, delimiter) -%}
    {#- ltrim stops at the first other character: a tenth of trim's cost over millions of lines -#}
    ({{ line }} is null or {{ trim_leading(line, "' ' || chr(9) || coalesce(" ~ delimiter ~ ", '')") }} = '')
{%- endmacro %}


{#- Does a line hold an odd number of quotes (it opens or closes a quoted field that spans lines)? -#}
{% macro has_odd_quotes(line) -%}
    (contains({{ line }}, '"') and ({{ text_length(line) }} - {{ text_length("replace(" ~ line ~ ", '\"', '')") }}) % 2 = 1)
{%- endmacro %}


{#- The raw_delimiter var as a SQL string: 'tab' (or a tab character) is chr(9). -#}
{% macro raw_delimiter_sql(delimiter) -%}
    {{ 'chr(9)' if delimiter in ['tab', '\t'] else sql_string(delimiter) }}
{%- endmacro %}
