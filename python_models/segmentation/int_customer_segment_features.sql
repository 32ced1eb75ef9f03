-- grain: one row per customer in fct_customer_rfm
--
-- The features the segmentation can use: RFM from fct_customer_rfm, age from the customers file.

with

customer_rfm as (

    select * from {{ ref('fct_customer_rfm') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

final as (

    select
        customer_rfm.customer_id,
        cast(customer_rfm.recency_days as double) as recency_days,
        cast(customer_rfm.frequency as double) as frequency,
        cast(customer_rfm.monetary as double) as monetary,
        cast(customers.age as double) as age
    from customer_rfm
    left join customers on customer_rfm.customer_id = customers.customer_id

)

select * from final
