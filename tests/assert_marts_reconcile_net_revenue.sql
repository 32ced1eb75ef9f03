-- The marts reconcile: total net revenue is the same in fct_sales and in every mart that sums
-- it (the store marts over lines that have a store). Returns the marts that disagree.

with

sales as (

    select
        sum(net_revenue) as net_revenue,
        sum(case when store_id is not null then net_revenue end) as store_net_revenue
    from {{ ref('fct_sales') }}

),

mart_totals as (

    select
        'fct_channel_performance' as mart,
        sum(net_revenue) as net_revenue,
        'all' as scope
    from {{ ref('fct_channel_performance') }}
    union all
    select
        'fct_product_performance',
        sum(net_revenue),
        'all'
    from {{ ref('fct_product_performance') }}
    union all
    select
        'fct_monthly_sales',
        sum(net_revenue),
        'all'
    from {{ ref('fct_monthly_sales') }}
    union all
    select
        'dim_customers',
        sum(net_revenue),
        'all'
    from {{ ref('dim_customers') }}
    union all
    select
        'dim_products',
        sum(net_revenue),
        'all'
    from {{ ref('dim_products') }}
    union all
    select
        'fct_store_performance',
        sum(net_revenue),
        'store'
    from {{ ref('fct_store_performance') }}
    union all
    select
        'dim_stores',
        sum(net_revenue),
        'store'
    from {{ ref('dim_stores') }}

)

select
    mart_totals.mart,
    mart_totals.net_revenue as mart_net_revenue,
    case when mart_totals.scope = 'all' then sales.net_revenue else sales.store_net_revenue end as sales_net_revenue
from mart_totals
cross join sales
where coalesce(mart_totals.net_revenue, 0)
    <> coalesce(case when mart_totals.scope = 'all' then sales.net_revenue else sales.store_net_revenue end, 0)
