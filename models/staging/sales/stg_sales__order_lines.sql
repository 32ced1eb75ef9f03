-- grain: one row per clean order line
--
-- The canonical, typed order lines of either raw layout: the lines of base_sales__order_lines
-- with no quarantine reason. Amounts are in reporting_currency (currency_code is the line's
-- own; the original_ columns keep its amounts when it differs). Cancellation lines
-- (online_retail) carry negative quantities and revenue, which net against the customer's totals.

with

order_lines as (

    select * from {{ ref('base_sales__order_lines') }}

),

final as (

    select
        order_line_id,
        order_id,
        customer_id,
        store_id,
        product_id,
        sales_team_id,
        warehouse_code,
        sales_channel,
        currency_code,
        product_description,
        country,
        quantity,
        unit_price,
        unit_cost,
        discount_rate,
        gross_revenue,
        cast(gross_revenue - net_revenue as decimal(18, 2)) as discount_amount,
        net_revenue,
        cost_amount,
        cast(net_revenue - cost_amount as decimal(18, 2)) as gross_margin,
        fx_rate_to_reporting,
        original_unit_price,
        original_unit_cost,
        original_net_revenue,
        is_cancellation,
        procured_date,
        order_date,
        ship_date,
        delivery_date,
        ordered_at,
        source_file,
        source_line_number,
        load_id
    from order_lines
    where quarantine_reasons is null

)

select * from final
