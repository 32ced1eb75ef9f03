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
-- (NULL for scoring, whose horizon is still to come).
{{ config(materialized='table') }}

{%- set horizon = var('churn_horizon_days') %}

with

purchase_days as (

    select * from {{ ref('int_customer_purchase_days') }}

),

as_of as (

    select {{ rfm_as_of_date(ref('int_orders_aggregated')) }} as rfm_as_of_date

),

cutoffs as (

    select
        'scoring' as cutoff_role,
        rfm_as_of_date as cutoff_date,
        rfm_as_of_date as horizon_end_date
    from as_of
    union all
    select
        'churn_holdout' as cutoff_role,
        cast({{ dbt.dateadd('day', -horizon, 'rfm_as_of_date') }} as date) as cutoff_date,
        rfm_as_of_date as horizon_end_date
    from as_of
    union all
    select
        'churn_training' as cutoff_role,
        cast({{ dbt.dateadd('day', -2 * horizon, 'rfm_as_of_date') }} as date) as cutoff_date,
        cast({{ dbt.dateadd('day', -horizon, 'rfm_as_of_date') }} as date) as horizon_end_date
    from as_of

),

first_purchases as (

    select
        customer_id,
        min(purchase_date) as first_purchase_date
    from purchase_days
    group by customer_id

),

-- the days up to each cut-off and in the horizon after it, in one pass
days_by_cutoff as (

    select
        cutoffs.cutoff_role,
        cutoffs.cutoff_date,
        purchase_days.customer_id,
        purchase_days.purchase_date,
        purchase_days.purchase_orders,
        purchase_days.net_revenue,
        purchase_days.purchase_date <= cutoffs.cutoff_date as is_before_cutoff,
        purchase_days.purchase_date > first_purchases.first_purchase_date as is_repeat_day
    from purchase_days
    inner join first_purchases on purchase_days.customer_id = first_purchases.customer_id
    inner join cutoffs on purchase_days.purchase_date <= cutoffs.horizon_end_date
    where first_purchases.first_purchase_date <= cutoffs.cutoff_date

),

summarised as (

    select
        cutoff_role,
        cutoff_date,
        customer_id,
        count(case when is_before_cutoff then 1 end) as purchase_days,
        sum(case when is_before_cutoff then purchase_orders end) as purchase_orders,
        sum(case when is_before_cutoff then net_revenue end) as net_revenue,
        sum(case when is_before_cutoff and is_repeat_day then net_revenue end) as repeat_net_revenue,
        min(purchase_date) as first_purchase_date,
        max(case when is_before_cutoff then purchase_date end) as last_purchase_date,
        count(case when not is_before_cutoff then 1 end) > 0 as has_purchase_after_cutoff
    from days_by_cutoff
    group by cutoff_role, cutoff_date, customer_id

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
        case when cutoff_role <> 'scoring' then has_purchase_after_cutoff end as purchased_in_horizon
    from summarised

)

select * from final
