-- grain: one row per churn method and risk decile
--
-- Both churn methods scored on the same hold-out: the customers as of the churn_holdout cut-off
-- (churn_horizon_days before the RFM as-of date), each predicted by a model that saw nothing
-- after it (BG/NBD fitted as of the cut-off; the classifier trained a horizon earlier), and
-- checked against what they did in the horizon after it (churned = no purchase).
-- Per method and decile of predicted risk (10 = riskiest; ties split by customer_id): the
-- customers, mean predicted and observed churn, for a calibration chart. Per method, repeated on
-- its ten rows: auc (the chance a churner is ranked above a retained customer, ties counting
-- half), precision_top_decile (observed churn in decile 10) and base_churn_rate.

with

summaries as (

    select * from {{ ref('int_customer_purchase_summaries') }}
    where cutoff_role = 'churn_holdout'

),

bg_nbd as (

    select * from {{ ref('int_customers_clv_scored') }}
    where cutoff_role = 'churn_holdout'

),

classifier as (

    select * from {{ ref('int_churn_classifier_scored') }}
    where cutoff_role = 'churn_holdout'

),

predictions as (

    select
        'bg_nbd' as churn_method,
        summaries.customer_id,
        bg_nbd.probability_no_purchase_in_horizon as predicted_churn_probability,
        not summaries.purchased_in_horizon as is_churned,
        summaries.cutoff_date
    from summaries
    inner join bg_nbd on summaries.customer_id = bg_nbd.customer_id
    union all
    select
        'classifier' as churn_method,
        summaries.customer_id,
        classifier.churn_probability as predicted_churn_probability,
        not summaries.purchased_in_horizon as is_churned,
        summaries.cutoff_date
    from summaries
    inner join classifier on summaries.customer_id = classifier.customer_id

),

ranked as (

    select
        *,
        ntile(10) over (partition by churn_method order by predicted_churn_probability, customer_id) as risk_decile,
        -- the average rank of equal predictions, for the Mann-Whitney AUC
        rank() over (partition by churn_method order by predicted_churn_probability)
        + (count(*) over (partition by churn_method, predicted_churn_probability) - 1) / 2.0 as average_rank
    from predictions

),

by_method as (

    select
        churn_method,
        (
            sum(case when is_churned then average_rank else 0 end)
            - sum(case when is_churned then 1 else 0 end) * (sum(case when is_churned then 1 else 0 end) + 1) / 2.0
        )
        / nullif(
            cast(sum(case when is_churned then 1 else 0 end) as double) * sum(case when is_churned then 0 else 1 end), 0
        ) as auc,
        avg(case when is_churned then 1.0 else 0.0 end) as base_churn_rate,
        avg(case when risk_decile = 10 then case when is_churned then 1.0 else 0.0 end end) as precision_top_decile,
        min(cutoff_date) as holdout_cutoff_date
    from ranked
    group by churn_method

),

by_decile as (

    select
        churn_method,
        risk_decile,
        count(*) as customers,
        -- summed as decimals, so two builds agree to the bit (exact_average)
        {{ exact_average('cast(predicted_churn_probability as decimal(38, 30))') }} as mean_predicted_churn_probability,
        avg(case when is_churned then 1.0 else 0.0 end) as observed_churn_rate
    from ranked
    group by churn_method, risk_decile

),

final as (

    select
        cast(by_decile.churn_method as {{ dbt.type_string() }}) as churn_method,
        cast(by_decile.risk_decile as integer) as risk_decile,
        cast(by_decile.customers as bigint) as customers,
        cast(by_decile.mean_predicted_churn_probability as double) as mean_predicted_churn_probability,
        cast(by_decile.observed_churn_rate as double) as observed_churn_rate,
        cast(by_method.auc as double) as auc,
        cast(by_method.precision_top_decile as double) as precision_top_decile,
        cast(by_method.base_churn_rate as double) as base_churn_rate,
        cast(by_method.holdout_cutoff_date as date) as holdout_cutoff_date,
        cast({{ var('churn_horizon_days') }} as integer) as churn_horizon_days
    from by_decile
    inner join by_method on by_decile.churn_method = by_method.churn_method

)

select * from final
