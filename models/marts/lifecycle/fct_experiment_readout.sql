-- grain: one row per experiment, variant and RFM segment at assignment
--
-- Did the campaign work, and for whom? Per experiment and variant, for each RFM segment the
-- customers were in when assigned and for all of them (rfm_segment 'All customers'): the
-- customers, those who bought within experiment_window_days after the day of assignment, their
-- net revenue in that window, and each variant's lift against control (treatment minus
-- control) with a 95% interval and a p-value: a two-proportion z-test for conversion, Welch's t
-- for revenue per customer (int_experiment_readout_tested; retail_segmentation/experiments.py).
-- Control rows, and groups without a control, carry no lift. Empty without an experiments file.

with

tested as (

    select * from {{ ref('int_experiment_readout_tested') }}

),

final as (

    select
        cast(experiment_id as {{ dbt.type_string() }}) as experiment_id,
        cast(variant as {{ dbt.type_string() }}) as variant,
        cast(rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(customers as bigint) as customers,
        cast(converters as bigint) as converters,
        cast(net_revenue as decimal(18, 2)) as net_revenue,
        cast(conversion_rate as double) as conversion_rate,
        cast(revenue_per_customer as double) as revenue_per_customer,
        cast(conversion_lift as double) as conversion_lift,
        cast(conversion_lift_ci_lower as double) as conversion_lift_ci_lower,
        cast(conversion_lift_ci_upper as double) as conversion_lift_ci_upper,
        cast(conversion_p_value as double) as conversion_p_value,
        cast(revenue_per_customer_lift as double) as revenue_per_customer_lift,
        cast(revenue_per_customer_lift_ci_lower as double) as revenue_per_customer_lift_ci_lower,
        cast(revenue_per_customer_lift_ci_upper as double) as revenue_per_customer_lift_ci_upper,
        cast(revenue_p_value as double) as revenue_p_value,
        cast({{ var('experiment_window_days') }} as integer) as experiment_window_days
    from tested

)

select * from final
