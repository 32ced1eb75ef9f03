{#-
    One macro per raw layout: selects the canonical order-line columns from the CTE `raw_lines`
    (see read_raw_sales) plus `line_problems`, the comma-separated reason codes of everything
    wrong with the line ('' when nothing is). Both layouts return the same columns in the same
    order, so everything downstream is layout-blind.

    Reason codes (the order is the priority of the first one reported):
      missing_order_id, missing_customer_id, missing_product_id, missing_store_id,
      unknown_channel, unparseable_date, non_numeric_quantity, non_positive_quantity,
      invalid_cancellation, non_numeric_discount, discount_out_of_range,
      non_numeric_money, negative_money
    (duplicate_line is added by the model, which sees all lines at once.)
-#}
{% macro parse_raw_sales_lines() %}
    {%- if var('raw_sales_format') == 'online_retail' -%}
        {{ parse_online_retail_lines() }}
    {%- else -%}
        {{ parse_retail_chain_lines() }}
    {%- endif -%}
{% endmacro %}


{% macro parse_retail_chain_lines() %}
    {%- set date_order = var('raw_date_order') %}
    with typed as (
        select
            *,
            {{ clean_text('raw_order_number') }} as order_id,
            {{ parse_raw_id('raw_customer_id') }} as customer_id,
            {{ parse_raw_id('raw_store_id') }} as store_id,
            {{ parse_raw_id('raw_product_id') }} as product_id,
            {{ parse_raw_id('raw_sales_team_id') }} as sales_team_id,
            {{ clean_text('raw_warehouse_code') }} as warehouse_code,
            case lower(trim(raw_sales_channel))
                when 'in-store' then 'In-Store'
                when 'online' then 'Online'
                when 'distributor' then 'Distributor'
                when 'wholesale' then 'Wholesale'
            end as sales_channel,
            {{ clean_text('raw_currency_code') }} as currency_code,
            {{ parse_raw_number('raw_order_quantity') }} as quantity_number,
            {{ parse_raw_number('raw_discount_applied') }} as discount_number,
            {{ parse_raw_money('raw_unit_price') }} as unit_price_number,
            {{ parse_raw_money('raw_unit_cost') }} as unit_cost_number,
            {{ parse_raw_date('raw_procured_date', date_order) }} as procured_date_value,
            {{ parse_raw_date('raw_order_date', date_order) }} as order_date_value,
            {{ parse_raw_date('raw_ship_date', date_order) }} as ship_date_value,
            {{ parse_raw_date('raw_delivery_date', date_order) }} as delivery_date_value
        from raw_lines
    )

    select
        *,
        cast(null as {{ dbt.type_string() }}) as product_description,
        cast(null as {{ dbt.type_string() }}) as country,
        false as is_cancellation,
        cast(order_date_value as timestamp) as ordered_at_value,
        concat_ws(',',
            case when order_id is null then 'missing_order_id' end,
            case when customer_id is null then 'missing_customer_id' end,
            case when product_id is null then 'missing_product_id' end,
            case when store_id is null then 'missing_store_id' end,
            case when sales_channel is null then 'unknown_channel' end,
            case
                when order_date_value is null
                    or (procured_date_value is null and {{ clean_text('raw_procured_date') }} is not null)
                    or (ship_date_value is null and {{ clean_text('raw_ship_date') }} is not null)
                    or (delivery_date_value is null and {{ clean_text('raw_delivery_date') }} is not null)
                    then 'unparseable_date'
            end,
            case when quantity_number is null or quantity_number <> floor(quantity_number) then 'non_numeric_quantity' end,
            case when quantity_number <= 0 then 'non_positive_quantity' end,
            case when discount_number is null then 'non_numeric_discount' end,
            case when discount_number < 0 or discount_number > 1 then 'discount_out_of_range' end,
            case when unit_price_number is null or unit_cost_number is null then 'non_numeric_money' end,
            case when unit_price_number < 0 or unit_cost_number < 0 then 'negative_money' end
        ) as line_problems
    from typed
{% endmacro %}


{% macro parse_online_retail_lines() %}
    with typed as (
        select
            *,
            {{ clean_text('raw_invoice') }} as order_id,
            {{ parse_raw_id('raw_customer_id') }} as customer_id,
            cast(null as {{ dbt.type_string() }}) as store_id,
            {{ clean_text('raw_stock_code') }} as product_id,
            cast(null as {{ dbt.type_string() }}) as sales_team_id,
            cast(null as {{ dbt.type_string() }}) as warehouse_code,
            'Online' as sales_channel,
            cast(null as {{ dbt.type_string() }}) as currency_code,
            {{ parse_raw_number('raw_quantity') }} as quantity_number,
            cast(0 as decimal(18, 4)) as discount_number,
            {{ parse_raw_money('raw_price') }} as unit_price_number,
            cast(null as decimal(18, 4)) as unit_cost_number,
            cast(null as date) as procured_date_value,
            cast({{ parse_raw_timestamp('raw_invoice_date') }} as date) as order_date_value,
            cast(null as date) as ship_date_value,
            cast(null as date) as delivery_date_value
        from raw_lines
    )

    select
        *,
        {{ clean_text('raw_description') }} as product_description,
        {{ clean_text('raw_country') }} as country,
        coalesce(upper(order_id) like 'C%', false) as is_cancellation,
        {{ parse_raw_timestamp('raw_invoice_date') }} as ordered_at_value,
        concat_ws(',',
            case when order_id is null then 'missing_order_id' end,
            case when customer_id is null then 'missing_customer_id' end,
            case when product_id is null then 'missing_product_id' end,
            case when order_date_value is null then 'unparseable_date' end,
            case when quantity_number is null or quantity_number <> floor(quantity_number) then 'non_numeric_quantity' end,
            case when quantity_number <= 0 and not upper(order_id) like 'C%' then 'non_positive_quantity' end,
            case when upper(order_id) like 'C%' and quantity_number >= 0 then 'invalid_cancellation' end,
            case when unit_price_number is null then 'non_numeric_money' end,
            case when unit_price_number < 0 then 'negative_money' end
        ) as line_problems
    from typed
{% endmacro %}
