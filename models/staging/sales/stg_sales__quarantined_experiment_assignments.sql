-- grain: one row per refused row of the experiments file
--
-- The rows of base_sales__experiment_assignments that failed a check, with their file, their
-- raw values and every reason (quarantine_reasons) and the first (quarantine_reason); a
-- malformed line with its text and number instead of values.
{{ config(materialized='table') }}

with

refused as (

    select * from {{ ref('base_sales__experiment_assignments') }}
    where quarantine_reasons is not null

),

final as (

    select
        source_file,
        split_part(quarantine_reasons, ',', 1) as quarantine_reason,
        quarantine_reasons,
        raw_customer_id,
        raw_experiment_id,
        raw_variant,
        raw_assigned_at,
        malformed_line_number,
        malformed_line
    from refused

)

select * from final
