{#-
    The SQL the models need that DuckDB and Spark write differently: lists, regular
    expressions, hashing, generators. Each macro dispatches to duckdb__ (the project's engine)
    or spark__ (make spark). A model or macro that needs one of these calls it here, so no
    model holds a dialect's syntax. Lists are 1-based in both: list_at(l, 1) is the first.
-#}

{#- The SQL type of a list of text values. -#}
{% macro type_text_list() -%}
    {{ return(adapter.dispatch('type_text_list')()) }}
{%- endmacro %}
{% macro duckdb__type_text_list() -%} varchar[] {%- endmacro %}
{% macro spark__type_text_list() -%} array<string> {%- endmacro %}

{#- The SQL type of a list of booleans. -#}
{% macro type_boolean_list() -%}
    {{ return(adapter.dispatch('type_boolean_list')()) }}
{%- endmacro %}
{% macro duckdb__type_boolean_list() -%} boolean[] {%- endmacro %}
{% macro spark__type_boolean_list() -%} array<boolean> {%- endmacro %}


{#- A list built from SQL expressions. -#}
{% macro list_of(expressions) -%}
    {{ return(adapter.dispatch('list_of')(expressions)) }}
{%- endmacro %}
{% macro duckdb__list_of(expressions) -%}
    [{{ expressions | join(', ') }}]
{%- endmacro %}
{% macro spark__list_of(expressions) -%}
    array({{ expressions | join(', ') }})
{%- endmacro %}


{#- The element at a 1-based position; NULL past the end or at a NULL position. -#}
{% macro list_at(list, position) -%}
    {{ return(adapter.dispatch('list_at')(list, position)) }}
{%- endmacro %}
{% macro duckdb__list_at(list, position) -%}
    {{ list }}[{{ position }}]
{%- endmacro %}
{% macro spark__list_at(list, position) -%}
    element_at({{ list }}, cast({{ position }} as int))
{%- endmacro %}


{#- The number of elements of a list. -#}
{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length')(list)) }}
{%- endmacro %}
{% macro duckdb__list_length(list) -%}
    len({{ list }})
{%- endmacro %}
{% macro spark__list_length(list) -%}
    size({{ list }})
{%- endmacro %}


{#- The elements of a list joined by a separator (NULL elements left out). -#}
{% macro list_join(list, separator) -%}
    {{ return(adapter.dispatch('list_join')(list, separator)) }}
{%- endmacro %}
{% macro duckdb__list_join(list, separator) -%}
    array_to_string({{ list }}, {{ separator }})
{%- endmacro %}
{% macro spark__list_join(list, separator) -%}
    array_join({{ list }}, {{ separator }})
{%- endmacro %}


{#- Does a list hold a value? -#}
{% macro list_has(list, value) -%}
    {{ return(adapter.dispatch('list_has')(list, value)) }}
{%- endmacro %}
{% macro duckdb__list_has(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}
{% macro spark__list_has(list, value) -%}
    array_contains({{ list }}, {{ value }})
{%- endmacro %}


{#- Each element of a list through `body`, an expression of the element named `element`. -#}
{% macro list_map(list, element, body) -%}
    {{ return(adapter.dispatch('list_map')(list, element, body)) }}
{%- endmacro %}
{% macro duckdb__list_map(list, element, body) -%}
    list_transform({{ list }}, lambda {{ element }}: {{ body }})
{%- endmacro %}
{% macro spark__list_map(list, element, body) -%}
    transform({{ list }}, {{ element }} -> {{ body }})
{%- endmacro %}


{#- The elements of a list for which `condition` (an expression of `element`) holds. -#}
{% macro list_where(list, element, condition) -%}
    {{ return(adapter.dispatch('list_where')(list, element, condition)) }}
{%- endmacro %}
{% macro duckdb__list_where(list, element, condition) -%}
    list_filter({{ list }}, lambda {{ element }}: {{ condition }})
{%- endmacro %}
{% macro spark__list_where(list, element, condition) -%}
    filter({{ list }}, {{ element }} -> {{ condition }})
{%- endmacro %}


{#- The whole numbers start, start + 1, ..., stop (an empty list when stop < start). -#}
{% macro integers_between(start, stop) -%}
    {{ return(adapter.dispatch('integers_between')(start, stop)) }}
{%- endmacro %}
{% macro duckdb__integers_between(start, stop) -%}
    range({{ start }}, {{ stop }} + 1)
{%- endmacro %}
{% macro spark__integers_between(start, stop) -%}
    case when {{ stop }} >= {{ start }} then sequence({{ start }}, {{ stop }}) else array() end
{%- endmacro %}


{#- The dates from start to stop, as a list of DATE (empty when stop is before start). -#}
{% macro days_from_to(start, stop) -%}
    {{ return(adapter.dispatch('days_from_to')(start, stop)) }}
{%- endmacro %}
{% macro duckdb__days_from_to(start, stop) -%}
    cast(generate_series({{ start }}, {{ stop }}, interval 1 day) as date[])
{%- endmacro %}
{% macro spark__days_from_to(start, stop) -%}
    case when {{ stop }} >= {{ start }} then sequence({{ start }}, {{ stop }}, interval 1 day) else array() end
{%- endmacro %}


{#- One row per element of a list, in a select list: `unnest_list(l) as x`. -#}
{% macro unnest_list(list) -%}
    {{ return(adapter.dispatch('unnest_list')(list)) }}
{%- endmacro %}
{% macro duckdb__unnest_list(list) -%}
    unnest({{ list }})
{%- endmacro %}
{% macro spark__unnest_list(list) -%}
    explode({{ list }})
{%- endmacro %}


{#- One row per element of a list, as two columns: the element and its 1-based position. -#}
{% macro unnest_with_position(list, value_name, position_name) -%}
    {{ return(adapter.dispatch('unnest_with_position')(list, value_name, position_name)) }}
{%- endmacro %}
{% macro duckdb__unnest_with_position(list, value_name, position_name) -%}
    unnest({{ list }}) as {{ value_name }},
    unnest(range(1, len({{ list }}) + 1)) as {{ position_name }}
{%- endmacro %}
{% macro spark__unnest_with_position(list, value_name, position_name) -%}
    inline(transform({{ list }}, (element, index) -> named_struct(
        '{{ value_name }}', element, '{{ position_name }}', cast(index + 1 as bigint)
    )))
{%- endmacro %}


{#- The values of a group in a list, ordered by `order_by` (one expression), NULLs left out. -#}
{% macro ordered_list(value, order_by) -%}
    {{ return(adapter.dispatch('ordered_list')(value, order_by)) }}
{%- endmacro %}
{% macro duckdb__ordered_list(value, order_by) -%}
    list({{ value }} order by {{ order_by }}) filter (where {{ value }} is not null)
{%- endmacro %}
{% macro spark__ordered_list(value, order_by) -%}
    transform(
        array_sort(collect_list(case when {{ value }} is not null then struct({{ order_by }} as sort_key, {{ value }} as item) end)),
        entry -> entry.item
    )
{%- endmacro %}


{#-
    The distinct values of a group in a sorted list, NULLs left out. `large_groups`: groups of
    many rows each (a store's lines), where DuckDB's DISTINCT aggregate keeps only the distinct
    values; with groups of a row or two (an order's lines) collecting and deduplicating the list
    afterwards is faster.
-#}
{% macro distinct_sorted_list(value, large_groups=false) -%}
    {{ return(adapter.dispatch('distinct_sorted_list')(value, large_groups)) }}
{%- endmacro %}
{% macro duckdb__distinct_sorted_list(value, large_groups) -%}
    {%- if large_groups -%}
        list(distinct {{ value }} order by {{ value }})
    {%- else -%}
        list_sort(list_distinct(list({{ value }})))
    {%- endif -%}
{%- endmacro %}
{% macro spark__distinct_sorted_list(value, large_groups) -%}
    array_sort(collect_set({{ value }}))
{%- endmacro %}


{#- The text values of a group joined by `separator`, ordered by `order_by` (one expression). -#}
{% macro ordered_string_agg(value, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg')(value, separator, order_by)) }}
{%- endmacro %}
{% macro duckdb__ordered_string_agg(value, separator, order_by) -%}
    string_agg({{ value }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}
{% macro spark__ordered_string_agg(value, separator, order_by) -%}
    nullif(array_join({{ spark__ordered_list(value, order_by) }}, {{ separator }}), '')
{%- endmacro %}


{#- Does the whole text match the regular expression `pattern` (a Jinja string)? -#}
{% macro regexp_matches_whole(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches_whole')(expr, pattern)) }}
{%- endmacro %}
{% macro duckdb__regexp_matches_whole(expr, pattern) -%}
    regexp_full_match({{ expr }}, {{ sql_string(pattern) }})
{%- endmacro %}
{% macro spark__regexp_matches_whole(expr, pattern) -%}
    ({{ expr }} rlike {{ spark_regexp_literal('^(?:' ~ pattern ~ ')$') }})
{%- endmacro %}


{#- Does the text hold a match of `pattern` (case-insensitive with ignore_case)? -#}
{% macro regexp_contains(expr, pattern, ignore_case=false) -%}
    {{ return(adapter.dispatch('regexp_contains')(expr, pattern, ignore_case)) }}
{%- endmacro %}
{% macro duckdb__regexp_contains(expr, pattern, ignore_case=false) -%}
    regexp_matches({{ expr }}, {{ sql_string(pattern) }}{{ ", 'i'" if ignore_case }})
{%- endmacro %}
{% macro spark__regexp_contains(expr, pattern, ignore_case=false) -%}
    ({{ expr }} rlike {{ spark_regexp_literal(('(?i)' if ignore_case else '') ~ pattern) }})
{%- endmacro %}


{#- The text of capture group `group` of the first match of `pattern` ('' when none). -#}
{% macro regexp_group(expr, pattern, group, ignore_case=false) -%}
    {{ return(adapter.dispatch('regexp_group')(expr, pattern, group, ignore_case)) }}
{%- endmacro %}
{% macro duckdb__regexp_group(expr, pattern, group, ignore_case=false) -%}
    regexp_extract({{ expr }}, {{ sql_string(pattern) }}, {{ group }}{{ ", 'i'" if ignore_case }})
{%- endmacro %}
{% macro spark__regexp_group(expr, pattern, group, ignore_case=false) -%}
    regexp_extract({{ expr }}, {{ spark_regexp_literal(('(?i)' if ignore_case else '') ~ pattern) }}, {{ group }})
{%- endmacro %}


{#- Every match of `pattern` replaced by `replacement`. -#}
{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro duckdb__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ sql_string(pattern) }}, {{ sql_string(replacement) }}, 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ spark_regexp_literal(pattern) }}, {{ sql_string(replacement) }})
{%- endmacro %}


{#- A regular expression as a Spark string literal: Spark reads backslash escapes in literals. -#}
{% macro spark_regexp_literal(pattern) -%}
    '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{#- Text split at every occurrence of a delimiter (an expression; not a pattern). -#}
{% macro split_text(expr, delimiter) -%}
    {{ return(adapter.dispatch('split_text')(expr, delimiter)) }}
{%- endmacro %}
{% macro duckdb__split_text(expr, delimiter) -%}
    string_split({{ expr }}, {{ delimiter }})
{%- endmacro %}
{% macro spark__split_text(expr, delimiter) -%}
    split({{ expr }}, concat('\\Q', {{ delimiter }}, '\\E'), -1)
{%- endmacro %}


{#- The number of characters of a text (bytes on DuckDB: the callers count ASCII quotes). -#}
{% macro text_length(expr) -%}
    {{ return(adapter.dispatch('text_length')(expr)) }}
{%- endmacro %}
{% macro duckdb__text_length(expr) -%}
    strlen({{ expr }})
{%- endmacro %}
{% macro spark__text_length(expr) -%}
    length({{ expr }})
{%- endmacro %}


{#- A character by its Unicode code point (a number known when the SQL is written). -#}
{% macro unicode_char(code_point) -%}
    {{ return(adapter.dispatch('unicode_char')(code_point)) }}
{%- endmacro %}
{% macro duckdb__unicode_char(code_point) -%}
    chr({{ code_point }})
{%- endmacro %}
{% macro spark__unicode_char(code_point) -%}
    {#- Spark's chr() takes the code point modulo 256; a \u escape in a literal does not -#}
    '\u{{ '%04X' % code_point }}'
{%- endmacro %}


{#- A 64-bit hash of a text, for finding candidate duplicates (matches are checked on the text). -#}
{% macro text_hash(expr) -%}
    {{ return(adapter.dispatch('text_hash')(expr)) }}
{%- endmacro %}
{% macro duckdb__text_hash(expr) -%}
    hash({{ expr }})
{%- endmacro %}
{% macro spark__text_hash(expr) -%}
    xxhash64({{ expr }})
{%- endmacro %}


{#- Whole-number division, rounded down (both operands whole numbers). -#}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide')(dividend, divisor)) }}
{%- endmacro %}
{% macro duckdb__integer_divide(dividend, divisor) -%}
    ({{ dividend }} // {{ divisor }})
{%- endmacro %}
{% macro spark__integer_divide(dividend, divisor) -%}
    ({{ dividend }} div {{ divisor }})
{%- endmacro %}


{#- Text with leading `characters` (an expression) removed. -#}
{% macro trim_leading(expr, characters) -%}
    {{ return(adapter.dispatch('trim_leading')(expr, characters)) }}
{%- endmacro %}
{% macro duckdb__trim_leading(expr, characters) -%}
    ltrim({{ expr }}, {{ characters }})
{%- endmacro %}
{% macro spark__trim_leading(expr, characters) -%}
    trim(leading {{ characters }} from {{ expr }})
{%- endmacro %}


{#- A query that stops the run with `message` (a text expression) for each row it is selected on. -#}
{% macro raise_error_sql(message) -%}
    {{ return(adapter.dispatch('raise_error_sql')(message)) }}
{%- endmacro %}
{% macro duckdb__raise_error_sql(message) -%}
    error({{ message }})
{%- endmacro %}
{% macro spark__raise_error_sql(message) -%}
    raise_error({{ message }})
{%- endmacro %}


{#-
    Does this engine run dbt Python models (DuckDB here; Snowflake, Databricks and BigQuery
    too)? Open-source Spark through dbt-spark does not: there the Python models are disabled
    (dbt_project.yml) and their SQL counterparts run instead.
-#}
{% macro python_models_enabled() -%}
    {{ return(target.type != 'spark') }}
{%- endmacro %}

