-- grain: one row per refused row of the customers file
--
-- The rows of base_sales__customers that failed a check, with their file, their raw values and
-- every reason (quarantine_reasons) and the first (quarantine_reason); a malformed line with
-- its text and number instead of values.
{{ config(materialized='table') }}

with

refused as (

    select * from {{ ref('base_sales__customers') }}
    where quarantine_reasons is not null

),

final as (

    select
        source_file,
        split_part(quarantine_reasons, ',', 1) as quarantine_reason,
        quarantine_reasons,
        raw_customer_id,
        raw_age,
        raw_gender,
        raw_income,
        raw_country,
        malformed_line_number,
        malformed_line
    from refused

)

select * from final
