-- grain: one row per clean order line
--
-- A view over the staging table (contract still enforced): a table would write every clean line
-- a second time; BI tools query the view the same way.
{{ config(materialized='view') }}

with

order_lines as (

    select * from {{ ref('stg_sales__order_lines') }}

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
        cast(unit_price as decimal(18, 4)) as unit_price,
        cast(unit_cost as decimal(18, 4)) as unit_cost,
        cast(discount_rate as decimal(9, 4)) as discount_rate,
        gross_revenue,
        discount_amount,
        net_revenue,
        cost_amount,
        gross_margin,
        cast(fx_rate_to_reporting as decimal(18, 8)) as fx_rate_to_reporting,
        cast(original_unit_price as decimal(18, 4)) as original_unit_price,
        cast(original_unit_cost as decimal(18, 4)) as original_unit_cost,
        cast(original_net_revenue as decimal(18, 2)) as original_net_revenue,
        {{ days_between('procured_date', 'order_date') }} as procurement_lead_days,
        {{ days_between('order_date', 'ship_date') }} as ship_lead_days,
        {{ days_between('order_date', 'delivery_date') }} as delivery_lead_days,
        is_cancellation,
        procured_date,
        order_date,
        ship_date,
        delivery_date,
        ordered_at
    from order_lines

)

select * from final
