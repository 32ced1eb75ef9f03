{#-
    The raw layouts are data: the var raw_layouts in dbt_project.yml holds, for each layout, its
    columns in canonical order (name, type, the header spellings it is known by) and the
    slash-date order used when a file's dates cannot tell. These macros read it.
-#}

{#- The layout (default: raw_sales_format) as a dict: {date_order, columns: [{name, type, headers}]} -#}
{% macro raw_layout(layout_name=none) %}
    {%- set layout_name = layout_name or var('raw_sales_format') -%}
    {%- set layouts = var('raw_layouts') -%}
    {%- if layout_name not in layouts -%}
        {#- the message validate_project_vars gives, whichever model dbt parses first -#}
        {{ exceptions.raise_compiler_error(
            var_problem('raw_sales_format', layout_name, "one of " ~ layouts.keys() | list | join(' | '))) }}
    {%- endif -%}
    {{ return(layouts[layout_name]) }}
{% endmacro %}


{#- The layout's column names, in canonical order. -#}
{% macro raw_layout_columns(layout_name=none) %}
    {{ return(raw_layout(layout_name).columns | map(attribute='name') | list) }}
{% endmacro %}


{#- The layout's column names of one type (date, number, money, id, text). -#}
{% macro raw_layout_columns_of_type(types, layout_name=none) %}
    {{ return(raw_layout(layout_name).columns | selectattr('type', 'in', types) | map(attribute='name') | list) }}
{% endmacro %}


{#- A header as compared with the layout's spellings: lower case, letters and digits only
    ('_CustomerID', 'Customer ID' and 'customer id' are all 'customerid'). -#}
{% macro normalized_header(expr) -%}
    {{ regexp_replace_all('lower(trim(' ~ expr ~ '))', '[^a-z0-9]', '') }}
{%- endmacro %}


{#-
    The layout's header spellings as a relation (column_name, column_position, header_key):
    one row per spelling, the column's name itself among them, normalized as files' headers are.
-#}
{% macro raw_layout_headers(layout_name=none) %}
    {%- set rows = [] -%}
    {%- for column in raw_layout(layout_name).columns -%}
        {%- set position = loop.index -%}
        {%- for spelling in [column.name] + column.headers -%}
            {%- do rows.append("(" ~ sql_string(column.name) ~ ", " ~ position ~ ", " ~ sql_string(spelling) ~ ")") -%}
        {%- endfor -%}
    {%- endfor %}
    select distinct
        column_name,
        cast(column_position as integer) as column_position,
        {{ normalized_header('spelling') }} as header_key
    from (values {{ rows | join(', ') }}) as spellings (column_name, column_position, spelling)
{%- endmacro %}


{#- A SQL string literal for a Jinja value: 'it''s' -#}
{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- A Jinja list of strings as a SQL list literal: ['a', 'b'] -#}
{% macro sql_list(values) -%}
    {%- set literals = [] -%}
    {%- for value in values %}{% do literals.append(sql_string(value)) %}{% endfor -%}
    {{ list_of(literals) }}
{%- endmacro %}
