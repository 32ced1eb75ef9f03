-- grain: one row per fit and fitted number
--
-- The lifetime-value models' fitted numbers (int_clv_model_fitted), as data: BG/NBD r, alpha
-- (in days), a, b and Gamma-Gamma p, q, v, with each model's log-likelihood, the customers it
-- was fitted on and whether the optimiser converged. fitted_for 'clv' is the fit
-- fct_customer_lifetime_value scores; 'churn_evaluation' the fit as of the churn hold-out
-- cut-off that fct_churn_model_evaluation checks.

with

fitted as (

    select * from {{ ref('int_clv_model_fitted') }}

),

final as (

    select
        cast(fitted_for as {{ dbt.type_string() }}) as fitted_for,
        cast(calibration_end_date as date) as calibration_end_date,
        cast(model as {{ dbt.type_string() }}) as model,  -- noqa: RF04
        cast(parameter as {{ dbt.type_string() }}) as parameter,
        cast(value as double) as value,  -- noqa: RF04
        cast(log_likelihood as double) as log_likelihood,
        cast(customers as bigint) as customers,
        cast(converged as boolean) as converged
    from fitted

)

select * from final
