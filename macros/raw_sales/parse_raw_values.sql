{#-
    Parsing raw text into typed values. Each returns NULL for text it cannot parse, so the
    caller can quarantine the line with a reason. Dialect-specific bodies are dispatched:
    the duckdb__ versions are the ones this project runs; other warehouses add theirs.
-#}

{#- Text with surrounding blanks removed; empty text is NULL. -#}
{% macro clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}


{#- An identifier as exported: blanks are NULL, a float-formatted id (13085.0) loses its .0 -#}
{% macro parse_raw_id(expr) -%}
    {{ return(adapter.dispatch('parse_raw_id')(expr)) }}
{%- endmacro %}

{% macro duckdb__parse_raw_id(expr) -%}
    {#- the regex only where there is a dot: a third cheaper over millions of plain ids -#}
    case
        when contains({{ expr }}, '.') then nullif(regexp_replace(trim({{ expr }}), '[.]0+$', ''), '')
        else nullif(trim({{ expr }}), '')
    end
{%- endmacro %}


{#- Money as spreadsheets export it: "$1,001.18", "1,001.18" or 1001.18 -#}
{% macro parse_raw_money(expr) -%}
    {{ return(adapter.dispatch('parse_raw_money')(expr)) }}
{%- endmacro %}

{% macro duckdb__parse_raw_money(expr) -%}
    try_cast(replace(replace(trim({{ expr }}), '$', ''), ',', '') as decimal(18, 4))
{%- endmacro %}


{#- A number (quantity, discount); NULL when not numeric -#}
{% macro parse_raw_number(expr) -%}
    {{ return(adapter.dispatch('parse_raw_number')(expr)) }}
{%- endmacro %}

{% macro duckdb__parse_raw_number(expr) -%}
    try_cast(trim({{ expr }}) as decimal(18, 4))
{%- endmacro %}


{#-
    A date as the retail_chain export writes it: d/m/yy, dd/mm/yy, d/m/yyyy or dd/mm/yyyy
    (mixed in one file; m/d/... when date_order is 'mdy'), or ISO yyyy-mm-dd (with a time part
    when a Parquet file carries typed timestamps). Two-digit years are 20yy; other years below
    1000 are not dates.
-#}
{% macro parse_raw_date(expr, date_order) -%}
    {%- if date_order not in ['dmy', 'mdy'] -%}
        {{ exceptions.raise_compiler_error("raw_date_order must be 'dmy' or 'mdy', got '" ~ date_order ~ "'") }}
    {%- endif -%}
    {{ return(adapter.dispatch('parse_raw_date')(expr, date_order)) }}
{%- endmacro %}

{% macro duckdb__parse_raw_date(expr, date_order) -%}
    {#-
        One strptime with two formats (four cost 60% more, measured on 10M values); a time part
        (typed Parquet timestamps) is cut off first. %d and %m accept one or two digits and %Y
        two or four, so 1/6/18 parses as year 18 and is moved to 2018.
    -#}
    {%- set slash = '%d/%m/%Y' if date_order == 'dmy' else '%m/%d/%Y' -%}
    {%- set parsed = "try_strptime(case when length(" ~ expr ~ ") > 10 and " ~ expr ~ " like '____-__-__%' then left(" ~ expr ~ ", 10) else trim(" ~ expr ~ ") end, ['" ~ slash ~ "', '%Y-%m-%d'])" -%}
    {#- DuckDB evaluates the repeated strptime once (common subexpression) -#}
    case
        when year({{ parsed }}) < 100 then cast({{ parsed }} + interval 2000 year as date)
        when year({{ parsed }}) >= 1000 then cast({{ parsed }} as date)
    end
{%- endmacro %}


{#- A timestamp as the online_retail export writes it: yyyy-mm-dd hh:mm:ss or m/d/yyyy h:mm -#}
{% macro parse_raw_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_raw_timestamp')(expr)) }}
{%- endmacro %}

{% macro duckdb__parse_raw_timestamp(expr) -%}
    {%- set parsed = "try_strptime(trim(" ~ expr ~ "), ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%Y-%m-%d'])" -%}
    case when year({{ parsed }}) >= 1000 then {{ parsed }} end
{%- endmacro %}


{#- Net revenue of a line, defined once: quantity x unit price x (1 - discount), to the cent. -#}
{% macro net_revenue(quantity, unit_price, discount_rate) -%}
    cast(round({{ quantity }} * {{ unit_price }} * (1 - {{ discount_rate }}), 2) as decimal(18, 2))
{%- endmacro %}
