-- grain: one row per customer and experiment in the optional experiments file
--
-- The assignments of base_sales__experiment_assignments that passed every check; the others
-- are in stg_sales__quarantined_experiment_assignments. With no experiments file this model is
-- empty, with the same columns, and fct_experiment_readout has no rows.
{{ config(materialized='table') }}

with

assignments as (

    select * from {{ ref('base_sales__experiment_assignments') }}
    where quarantine_reasons is null

),

final as (

    select
        customer_id,
        experiment_id,
        variant,
        assigned_at,
        cast(assigned_at as date) as assigned_date
    from assignments

)

select * from final
