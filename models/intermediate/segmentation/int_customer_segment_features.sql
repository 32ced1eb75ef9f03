-- grain: one row per customer of int_customers_rfm_scored
--
-- The features the segmentation can use: recency, frequency and monetary as of the RFM as-of
-- date, and age from the customers file (NULL without one), as doubles for scikit-learn.

with

customers_scored as (

    select * from {{ ref('int_customers_rfm_scored') }}

),

customers_file as (

    select * from {{ ref('stg_sales__customers') }}

),

final as (

    select
        customers_scored.customer_id,
        cast(customers_scored.recency_days as double) as recency_days,
        cast(customers_scored.frequency as double) as frequency,
        cast(customers_scored.monetary as double) as monetary,
        cast(customers_file.age as double) as age
    from customers_scored
    left join customers_file on customers_scored.customer_id = customers_file.customer_id

)

select * from final
