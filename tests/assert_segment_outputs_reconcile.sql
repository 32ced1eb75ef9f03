-- The segmentation outputs agree with each other and with fct_customer_rfm: every customer with
-- all features is segmented exactly once, there are exactly k distinct clusters (the chosen k),
-- and the profiles add up to fct_customer_rfm's customers and net revenue, their shares of
-- customers to one. Returns the checks that fail.

with

features as (

    select count(*) as customers from {{ ref('int_customer_segment_features') }}
    where recency_days is not null and frequency is not null and monetary is not null
    {%- if 'age' in var('segmentation_features') | string %} and age is not null{% endif %}

),

segments as (

    select
        count(*) as customers,
        count(distinct customer_id) as distinct_customers,
        count(distinct cluster_id) as clusters
    from {{ ref('dim_customer_segments') }}

),

chosen as (

    select k from {{ ref('fct_segment_model_selection') }}
    where is_chosen

),

profiles as (

    select
        sum(customers) as customers,
        sum(net_revenue) as net_revenue,
        sum(share_of_customers) as share_of_customers,
        count(*) as clusters
    from {{ ref('fct_customer_segment_profiles') }}

),

segmented_rfm as (

    select sum(customer_rfm.monetary) as net_revenue
    from {{ ref('fct_customer_rfm') }} as customer_rfm
    inner join {{ ref('dim_customer_segments') }} as segments on customer_rfm.customer_id = segments.customer_id

),

checks as (

    select
        'every customer with features segmented once' as check_name,
        segments.customers = features.customers and segments.distinct_customers = segments.customers as passed
    from segments cross join features
    union all
    select
        'exactly one chosen k',
        (select count(*) from chosen) = 1
    union all
    select
        'k distinct clusters',
        segments.clusters = chosen.k
    from segments cross join chosen
    union all
    select
        'profiles count every segmented customer',
        profiles.customers = segments.customers
    from profiles
    cross join segments
    union all
    select
        'profiles sum to the segmented customers'' net revenue',
        profiles.net_revenue = segmented_rfm.net_revenue
    from profiles cross join segmented_rfm
    union all
    select
        'profiles'' shares of customers add up to one',
        abs(profiles.share_of_customers - 1) < 1e-9
    from profiles
    union all
    select
        'one profile per cluster',
        profiles.clusters = segments.clusters
    from profiles cross join segments

)

select * from checks
where not coalesce(passed, false)
