-- grain: one row per cut-off and customer with a purchase day on or before the cut-off
--
-- Each customer's purchase history summarised as of three cut-offs, in days:
--   scoring        the RFM as-of date: what fct_customer_lifetime_value and
--                  fct_customer_churn_risk score;
--   churn_holdout  churn_horizon_days earlier: both churn methods are scored here and checked
--                  against what happened in the horizon after it (fct_churn_model_evaluation);
--   churn_training another horizon earlier: the churn classifier learns from it.
-- The BG/NBD summary (Fader, Hardie & Lee 2005): x = purchase days - 1 (repeat purchases),
-- t_x = last - first purchase day, T = cut-off - first purchase day; Gamma-Gamma's m_x is the
-- mean net revenue of the repeat purchase days, the first day excluded (NULL when x = 0).
-- purchased_in_horizon: whether the customer bought in the churn_horizon_days after the cut-off
-- (NULL for scoring, whose horizon is still to come). One pass over the purchase days computes
-- every cut-off's figures side by side (by_customer); summaries turns them into rows.

{{ config(materialized='table') }}

{%- set horizon = var('churn_horizon_days') %}

with

orders as (

    select * from {{ ref('int_orders_aggregated') }}

),

-- the transactions the models count: a customer's purchase orders on one day are one
-- transaction (Fader, Hardie & Lee count days, not orders), cancellations excluded; all days,
-- also those after the as-of date, each cut-off taking its own
days as (

    select
        customer_id,
        order_date as purchase_date,
        count(*) as purchase_orders,
        sum(net_revenue) as net_revenue
    from orders
    where not is_cancellation
    group by customer_id, order_date

),

as_of as (

    select {{ rfm_as_of_date(ref('int_orders_aggregated')) }} as rfm_as_of_date

),

cutoffs as (

    select
        rfm_as_of_date as scoring_date,
        cast({{ dbt.dateadd('day', -horizon, 'rfm_as_of_date') }} as date) as holdout_date,
        cast({{ dbt.dateadd('day', -2 * horizon, 'rfm_as_of_date') }} as date) as training_date
    from as_of

),

-- per customer, each cut-off's figures as columns; a cut-off's horizon ends at the next later
-- cut-off (the hold-out's at the as-of date, the training's at the hold-out)
by_customer as (

    select
        days.customer_id,
        min(days.purchase_date) as first_purchase_date,
        -- the first day is on or before every cut-off the customer is counted at
        {{ min_by('days.net_revenue', 'days.purchase_date') }} as first_day_net_revenue,
        count(case when days.purchase_date <= cutoffs.scoring_date then 1 end) as scoring_purchase_days,
        sum(case when days.purchase_date <= cutoffs.scoring_date then days.purchase_orders end)
            as scoring_purchase_orders,
        sum(case when days.purchase_date <= cutoffs.scoring_date then days.net_revenue end)
            as scoring_net_revenue,
        max(case when days.purchase_date <= cutoffs.scoring_date then days.purchase_date end)
            as scoring_last_purchase_date,
        count(case when days.purchase_date <= cutoffs.holdout_date then 1 end) as churn_holdout_purchase_days,
        sum(case when days.purchase_date <= cutoffs.holdout_date then days.purchase_orders end)
            as churn_holdout_purchase_orders,
        sum(case when days.purchase_date <= cutoffs.holdout_date then days.net_revenue end)
            as churn_holdout_net_revenue,
        max(case when days.purchase_date <= cutoffs.holdout_date then days.purchase_date end)
            as churn_holdout_last_purchase_date,
        count(
            case
                when days.purchase_date > cutoffs.holdout_date and days.purchase_date <= cutoffs.scoring_date then 1
            end
        )
        > 0 as churn_holdout_purchased_in_horizon,
        count(case when days.purchase_date <= cutoffs.training_date then 1 end) as churn_training_purchase_days,
        sum(case when days.purchase_date <= cutoffs.training_date then days.purchase_orders end)
            as churn_training_purchase_orders,
        sum(case when days.purchase_date <= cutoffs.training_date then days.net_revenue end)
            as churn_training_net_revenue,
        max(case when days.purchase_date <= cutoffs.training_date then days.purchase_date end)
            as churn_training_last_purchase_date,
        count(
            case
                when days.purchase_date > cutoffs.training_date and days.purchase_date <= cutoffs.holdout_date then 1
            end
        ) > 0 as churn_training_purchased_in_horizon
    from days
    cross join cutoffs
    group by days.customer_id

),

summaries as (

    select
        'scoring' as cutoff_role,
        cutoffs.scoring_date as cutoff_date,
        by_customer.customer_id,
        by_customer.scoring_purchase_days as purchase_days,
        by_customer.scoring_purchase_orders as purchase_orders,
        by_customer.scoring_net_revenue as net_revenue,
        by_customer.scoring_net_revenue - by_customer.first_day_net_revenue as repeat_net_revenue,
        by_customer.first_purchase_date,
        by_customer.scoring_last_purchase_date as last_purchase_date,
        cast(null as boolean) as purchased_in_horizon
    from by_customer
    cross join cutoffs
    where by_customer.scoring_purchase_days > 0
    union all
    select
        'churn_holdout' as cutoff_role,
        cutoffs.holdout_date as cutoff_date,
        by_customer.customer_id,
        by_customer.churn_holdout_purchase_days as purchase_days,
        by_customer.churn_holdout_purchase_orders as purchase_orders,
        by_customer.churn_holdout_net_revenue as net_revenue,
        by_customer.churn_holdout_net_revenue - by_customer.first_day_net_revenue as repeat_net_revenue,
        by_customer.first_purchase_date,
        by_customer.churn_holdout_last_purchase_date as last_purchase_date,
        by_customer.churn_holdout_purchased_in_horizon as purchased_in_horizon
    from by_customer
    cross join cutoffs
    where by_customer.churn_holdout_purchase_days > 0
    union all
    select
        'churn_training' as cutoff_role,
        cutoffs.training_date as cutoff_date,
        by_customer.customer_id,
        by_customer.churn_training_purchase_days as purchase_days,
        by_customer.churn_training_purchase_orders as purchase_orders,
        by_customer.churn_training_net_revenue as net_revenue,
        by_customer.churn_training_net_revenue - by_customer.first_day_net_revenue as repeat_net_revenue,
        by_customer.first_purchase_date,
        by_customer.churn_training_last_purchase_date as last_purchase_date,
        by_customer.churn_training_purchased_in_horizon as purchased_in_horizon
    from by_customer
    cross join cutoffs
    where by_customer.churn_training_purchase_days > 0

),

final as (

    select
        cutoff_role,
        cutoff_date,
        customer_id,
        cast(purchase_days - 1 as bigint) as repeat_purchase_days,
        {{ days_between('first_purchase_date', 'last_purchase_date') }} as days_first_to_last_purchase,
        {{ days_between('first_purchase_date', 'cutoff_date') }} as days_since_first_purchase,
        {{ days_between('last_purchase_date', 'cutoff_date') }} as days_since_last_purchase,
        cast(purchase_orders as bigint) as purchase_orders,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(repeat_net_revenue / nullif(purchase_days - 1, 0) as double) as mean_repeat_day_value,
        first_purchase_date,
        last_purchase_date,
        purchased_in_horizon
    from summaries

)

select * from final
