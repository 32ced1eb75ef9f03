-- grain: one row per customer with a purchase order on or before the RFM as-of date
--
-- Each customer's predicted value as of the RFM as-of date, from the BG/NBD and Gamma-Gamma
-- fit (dim_clv_model_parameters, fitted_for 'clv'), scored in SQL by int_customers_clv_scored.
-- A purchase is a purchase day (all orders of a day are one transaction, as the models count).
-- predicted_clv_365d = expected_average_order_value x the purchases expected in the next 365
-- days, each quarter's discounted at clv_annual_discount_rate. clv_segment: the customer's band
-- by predicted_clv_365d percent rank (equal values share a band): Top 10%, High (next 20%),
-- Medium (next 30%), Low (the other 40%). Without at least two repeat customers Gamma-Gamma is
-- not fitted: the value per purchase and the CLV are then NULL and the band Unknown.

with

scored as (

    select * from {{ ref('int_customers_clv_scored') }}
    where cutoff_role = 'scoring'

),

valued as (

    select
        customer_id,
        p_alive,
        expected_purchases_90d,
        expected_purchases_365d,
        expected_average_order_value,
        expected_average_order_value * discounted_expected_purchases_365d as predicted_clv_365d,
        repeat_purchase_days,
        days_first_to_last_purchase,
        days_since_first_purchase,
        cutoff_date
    from scored

),

ranked as (

    select
        *,
        percent_rank() over (order by predicted_clv_365d desc) as clv_rank_share
    from valued

),

final as (

    select
        customer_id,
        cast(p_alive as double) as p_alive,
        cast(expected_purchases_90d as double) as expected_purchases_90d,
        cast(expected_purchases_365d as double) as expected_purchases_365d,
        cast(expected_average_order_value as decimal(18, 2)) as expected_average_order_value,
        cast(predicted_clv_365d as decimal(18, 2)) as predicted_clv_365d,
        cast(
            case
                when predicted_clv_365d is null then 'Unknown'
                when clv_rank_share < 0.1 then 'Top 10%'
                when clv_rank_share < 0.3 then 'High'
                when clv_rank_share < 0.6 then 'Medium'
                else 'Low'
            end as {{ dbt.type_string() }}
        ) as clv_segment,
        cast(repeat_purchase_days as bigint) as repeat_purchase_days,
        cast(days_first_to_last_purchase as integer) as days_first_to_last_purchase,
        cast(days_since_first_purchase as integer) as days_since_first_purchase,
        cast(cutoff_date as date) as rfm_as_of_date
    from ranked

)

select * from final
