-- grain: one row per customer with a purchase order on or before the RFM as-of date
--
-- Who is slipping away, two ways, as of the RFM as-of date: the BG/NBD model's P(alive) and
-- its probability of no purchase in the next churn_horizon_days (int_customers_clv_scored),
-- and a classifier's probability of the same, learnt on an earlier cut-off
-- (int_churn_classifier_scored). churn_risk_band reads the classifier's probability: High
-- >= 0.7, Medium >= 0.4, Low below; Unknown when the history is too short to train it (two
-- horizons). Which of the two ranks and calibrates better on the data at hand is in
-- fct_churn_model_evaluation.

with

bg_nbd as (

    select * from {{ ref('int_customers_clv_scored') }}
    where cutoff_role = 'scoring'

),

classifier as (

    select * from {{ ref('int_churn_classifier_scored') }}
    where cutoff_role = 'scoring'

),

summaries as (

    select * from {{ ref('int_customer_purchase_summaries') }}
    where cutoff_role = 'scoring'

),

final as (

    select
        summaries.customer_id,
        cast(bg_nbd.p_alive as double) as p_alive,
        cast(bg_nbd.probability_no_purchase_in_horizon as double) as bg_nbd_churn_probability,
        cast(classifier.churn_probability as double) as churn_probability,
        cast(
            case
                when classifier.churn_probability >= 0.7 then 'High'
                when classifier.churn_probability >= 0.4 then 'Medium'
                when classifier.churn_probability is not null then 'Low'
                else 'Unknown'
            end as {{ dbt.type_string() }}
        ) as churn_risk_band,
        cast(summaries.days_since_last_purchase as integer) as days_since_last_purchase,
        cast({{ var('churn_horizon_days') }} as integer) as churn_horizon_days,
        cast(summaries.cutoff_date as date) as rfm_as_of_date
    from summaries
    left join bg_nbd on summaries.customer_id = bg_nbd.customer_id
    left join classifier on summaries.customer_id = classifier.customer_id

)

select * from final
