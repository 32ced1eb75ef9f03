{#-
    One macro per raw layout, named by the layout's `parser` in the var raw_layouts: reads `raw_values` (a relation or CTE with one row per record: the
    layout's columns as text named raw_<name>, is_malformed and is_repeated_header), parses them
    with the files' conventions `date_order` and `decimal_separator` (SQL expressions; constants
    let DuckDB plan each parse once) and selects the canonical order-line columns plus
    `line_problems`, the comma-separated reason codes of everything wrong with the line ('' when
    nothing is). Both layouts return the same columns in the same order, so everything
    downstream is layout-blind.

    Reason codes, in the priority order of the first one reported:
      malformed_line, repeated_header, missing_order_id, missing_customer_id,
      missing_product_id, missing_store_id, scientific_notation_id, unknown_channel,
      unparseable_date, implausible_date, non_numeric_quantity, non_positive_quantity,
      invalid_cancellation, non_numeric_discount, discount_out_of_range, non_numeric_money,
      negative_money, currency_sign_mismatch, number_out_of_range
    (missing_fx_rate and duplicate_line are added by base_sales__order_lines.)
-#}
{% macro parse_raw_sales_lines(raw_values, date_order, decimal_separator) %}
    {%- set parser = raw_layout().parser -%}
    {%- if parser not in context -%}
        {{ exceptions.raise_compiler_error(
            "raw_layouts." ~ var('raw_sales_format') ~ ".parser is '" ~ parser ~ "': no macro of that name") }}
    {%- endif -%}
    {{ context[parser](raw_values, date_order, decimal_separator) }}
{% endmacro %}


{#-
    The reason codes of a line, comma-separated ('' when nothing is wrong): `reasons` is a list of
    (code, SQL condition), in priority order. The conditions are checked once for every line;
    the list is written out only for the few lines where one holds. A malformed line or a
    repeated header gets that reason alone: its fields mean nothing.
-#}
{% macro line_problems(reasons) -%}
    case
        when is_malformed then 'malformed_line'
        when is_repeated_header then 'repeated_header'
        when not (
            {%- for code, condition in reasons %}
            coalesce({{ condition }}, false){{ " or" if not loop.last }}
            {%- endfor %}
        ) then ''
        else concat_ws(','
            {%- for code, condition in reasons %},
            case when {{ condition }} then '{{ code }}' end
            {%- endfor %}
        )
    end
{%- endmacro %}


{#- The largest quantity and unit amount a line may hold: more is number_out_of_range. -#}
{% macro raw_max_quantity() %}{{ return(1000000) }}{% endmacro %}
{% macro raw_max_unit_amount() %}{{ return(1000000000) }}{% endmacro %}


{#-
    For a number column that did not parse: is its text not a number written the file's way
    (decimal_separator), or a number too large for its type?
-#}
{% macro is_not_a_number(raw, value, decimal_separator, allow_percent=false) -%}
    {#- a CASE, so the pattern is matched only where the value did not parse -#}
    (case when {{ value }} is null then not coalesce({{ looks_numeric(raw, decimal_separator, allow_percent) }}, false) else false end)
{%- endmacro %}

{% macro is_too_large_a_number(raw, value, decimal_separator, allow_percent=false) -%}
    (case when {{ value }} is null then coalesce({{ looks_numeric(raw, decimal_separator, allow_percent) }}, false) else false end)
{%- endmacro %}


{#-
    Whether a money field's currency sign names another currency than the line's (`currency_code`,
    a SQL expression giving its ISO code), by the signs' currencies in currency_signs: € is EUR,
    £ is GBP and $ one of the dollar and peso currencies. The amount's currency is then unknown:
    the sign and the code disagree.
-#}
{% macro is_currency_sign_mismatch(raw_columns, currency_code) -%}
    {#- per sign, any of the columns first: most lines carry no sign, or the one of their currency -#}
    (
        {%- for sign, currencies in currency_signs().items() %}
        (
            ({% for column in raw_columns %}{{ column }} like '%{{ sign }}%'{{ " or " if not loop.last }}{% endfor %})
            and {{ currency_code }} not in ('{{ currencies | join("', '") }}')
        ){{ " or" if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{#- An order date after the day of the build or before raw_min_order_date is implausible. -#}
{% macro is_implausible_order_date(order_date) -%}
    ({{ order_date }} > current_date or {{ order_date }} < cast({{ sql_string(var('raw_min_order_date')) }} as date))
{%- endmacro %}


{#- A date further than raw_max_lead_days from the order date is implausible. -#}
{% macro is_implausible_lead(other_date, order_date) -%}
    coalesce(abs({{ dbt.datediff(order_date, other_date, 'day') }}) > {{ var('raw_max_lead_days') }}, false)
{%- endmacro %}


{% macro parse_retail_chain_lines(raw_values, date_order, decimal_separator) %}
    with typed as (
        select
            *,
            {{ parse_raw_code('raw_order_number') }} as order_id,
            {{ parse_raw_id('raw_customer_id') }} as customer_id,
            {{ parse_raw_id('raw_store_id') }} as store_id,
            {{ parse_raw_id('raw_product_id') }} as product_id,
            {{ parse_raw_id('raw_sales_team_id') }} as sales_team_id,
            {{ parse_raw_code('raw_warehouse_code') }} as warehouse_code,
            case lower({{ parse_raw_code('raw_sales_channel') }})
                when 'in-store' then 'In-Store'
                when 'online' then 'Online'
                when 'distributor' then 'Distributor'
                when 'wholesale' then 'Wholesale'
            end as sales_channel,
            upper({{ parse_raw_code('raw_currency_code') }}) as currency_code,
            {{ parse_raw_number('raw_order_quantity', decimal_separator) }} as quantity_number,
            {{ parse_raw_number('raw_discount_applied', decimal_separator, allow_percent=true) }} as discount_number,
            {{ parse_raw_number('raw_unit_price', decimal_separator) }} as unit_price_number,
            {{ parse_raw_number('raw_unit_cost', decimal_separator) }} as unit_cost_number,
            {{ parse_raw_date('raw_procured_date', date_order) }} as procured_date_value,
            {{ parse_raw_date('raw_order_date', date_order) }} as order_date_value,
            {{ parse_raw_date('raw_ship_date', date_order) }} as ship_date_value,
            {{ parse_raw_date('raw_delivery_date', date_order) }} as delivery_date_value
        from {{ raw_values }}
    )

    select
        *,
        cast(null as {{ dbt.type_string() }}) as product_description,
        cast(null as {{ dbt.type_string() }}) as country,
        false as is_cancellation,
        cast(order_date_value as timestamp) as ordered_at_value,
        {{ line_problems([
            ('missing_order_id', 'order_id is null'),
            ('missing_customer_id', 'customer_id is null'),
            ('missing_product_id', 'product_id is null'),
            ('missing_store_id', 'store_id is null'),
            ('scientific_notation_id', is_scientific_notation_id(['raw_customer_id', 'raw_store_id', 'raw_product_id', 'raw_sales_team_id'])),
            ('unknown_channel', 'sales_channel is null'),
            ('unparseable_date', 'order_date_value is null'
                ~ ' or (procured_date_value is null and ' ~ clean_text('raw_procured_date') ~ ' is not null)'
                ~ ' or (ship_date_value is null and ' ~ clean_text('raw_ship_date') ~ ' is not null)'
                ~ ' or (delivery_date_value is null and ' ~ clean_text('raw_delivery_date') ~ ' is not null)'),
            ('implausible_date', is_implausible_order_date('order_date_value')
                ~ ' or ' ~ is_implausible_lead('procured_date_value', 'order_date_value')
                ~ ' or ' ~ is_implausible_lead('ship_date_value', 'order_date_value')
                ~ ' or ' ~ is_implausible_lead('delivery_date_value', 'order_date_value')),
            ('non_numeric_quantity', is_not_a_number('raw_order_quantity', 'quantity_number', decimal_separator)
                ~ ' or quantity_number <> floor(quantity_number)'),
            ('non_positive_quantity', 'quantity_number <= 0'),
            ('non_numeric_discount', is_not_a_number('raw_discount_applied', 'discount_number', decimal_separator, allow_percent=true)),
            ('discount_out_of_range', 'discount_number < 0 or discount_number > 1'),
            ('non_numeric_money', is_not_a_number('raw_unit_price', 'unit_price_number', decimal_separator)
                ~ ' or ' ~ is_not_a_number('raw_unit_cost', 'unit_cost_number', decimal_separator)),
            ('negative_money', 'unit_price_number < 0 or unit_cost_number < 0'),
            ('currency_sign_mismatch', is_currency_sign_mismatch(['raw_unit_price', 'raw_unit_cost'], line_currency_code())),
            ('number_out_of_range', is_too_large_a_number('raw_order_quantity', 'quantity_number', decimal_separator)
                ~ ' or ' ~ is_too_large_a_number('raw_unit_price', 'unit_price_number', decimal_separator)
                ~ ' or ' ~ is_too_large_a_number('raw_unit_cost', 'unit_cost_number', decimal_separator)
                ~ ' or quantity_number > ' ~ raw_max_quantity()
                ~ ' or unit_price_number > ' ~ raw_max_unit_amount()
                ~ ' or unit_cost_number > ' ~ raw_max_unit_amount()),
        ]) }} as line_problems
    from typed
{% endmacro %}


{% macro parse_online_retail_lines(raw_values, date_order, decimal_separator) %}
    with typed as (
        select
            *,
            {{ parse_raw_code('raw_invoice') }} as order_id,
            {{ parse_raw_id('raw_customer_id') }} as customer_id,
            cast(null as {{ dbt.type_string() }}) as store_id,
            {{ parse_raw_code('raw_stock_code') }} as product_id,
            cast(null as {{ dbt.type_string() }}) as sales_team_id,
            cast(null as {{ dbt.type_string() }}) as warehouse_code,
            'Online' as sales_channel,
            cast(null as {{ dbt.type_string() }}) as currency_code,
            {{ parse_raw_number('raw_quantity', decimal_separator) }} as quantity_number,
            cast(0 as decimal(18, 4)) as discount_number,
            {{ parse_raw_number('raw_price', decimal_separator) }} as unit_price_number,
            cast(null as decimal(18, 4)) as unit_cost_number,
            cast(null as date) as procured_date_value,
            {{ parse_raw_timestamp('raw_invoice_date', date_order) }} as ordered_at_value,
            cast(null as date) as ship_date_value,
            cast(null as date) as delivery_date_value
        from {{ raw_values }}
    )

    select
        * exclude (ordered_at_value),
        cast(ordered_at_value as date) as order_date_value,
        {{ clean_text('raw_description') }} as product_description,
        {{ clean_text('raw_country') }} as country,
        coalesce(upper(order_id) like 'C%', false) as is_cancellation,
        ordered_at_value,
        {{ line_problems([
            ('missing_order_id', 'order_id is null'),
            ('missing_customer_id', 'customer_id is null'),
            ('missing_product_id', 'product_id is null'),
            ('scientific_notation_id', is_scientific_notation_id(['raw_customer_id'])),
            ('unparseable_date', 'ordered_at_value is null'),
            ('implausible_date', is_implausible_order_date('cast(ordered_at_value as date)')),
            ('non_numeric_quantity', is_not_a_number('raw_quantity', 'quantity_number', decimal_separator)
                ~ ' or quantity_number <> floor(quantity_number)'),
            ('non_positive_quantity', "quantity_number <= 0 and not upper(order_id) like 'C%'"),
            ('invalid_cancellation', "upper(order_id) like 'C%' and quantity_number >= 0"),
            ('non_numeric_money', is_not_a_number('raw_price', 'unit_price_number', decimal_separator)),
            ('negative_money', 'unit_price_number < 0'),
            ('currency_sign_mismatch', is_currency_sign_mismatch(['raw_price'], line_currency_code())),
            ('number_out_of_range', is_too_large_a_number('raw_quantity', 'quantity_number', decimal_separator)
                ~ ' or ' ~ is_too_large_a_number('raw_price', 'unit_price_number', decimal_separator)
                ~ ' or abs(quantity_number) > ' ~ raw_max_quantity()
                ~ ' or unit_price_number > ' ~ raw_max_unit_amount()),
        ]) }} as line_problems
    from typed
{% endmacro %}
