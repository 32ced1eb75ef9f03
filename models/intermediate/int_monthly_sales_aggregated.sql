-- grain: one row per month and sales channel, per month and store, and per month and product
-- with at least one clean order line
--
-- The clean order lines summed by month and each of the three members the monthly performance
-- marts report on (fct_channel_performance, fct_store_performance, fct_product_performance):
-- member_type says which of sales_channel, store_id and product_id the row is for; the others
-- are NULL. Amounts are summed exactly; the marts derive averages and shares from the sums.
--
-- On DuckDB an incremental table, by month. Each month's rows carry lines_fingerprint, a hash
-- of the lines it sums (their count and the sum of a hash of each line's order_line_id and
-- load_id: a line's id and the load of its file fix its content, since a raw file that changed,
-- or whose lines would read differently, is loaded again); a build sums again only the months
-- whose fingerprint is new and replaces them by month_start_date. A month with no line left
-- comes out as one row without a member, so the replace deletes its rows, and the post-hook
-- drops that row. A daily load sums again the month of its days. Rows depend only on
-- the lines and on this code: after changing the code, build with --full-refresh.
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key='month_start_date',
    post_hook=[
        "{% if is_incremental() %}delete from {{ this }} where member_type is null{% endif %}",
    ],
) }}

with

-- read where used: the fingerprints read every line, the sums those of the months they redo
order_lines as {{ not_materialized() }} (

    select * from {{ ref('stg_sales__order_lines') }}

),

month_fingerprints as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        {{ text_hash('count(*), sum(' ~ text_hash('order_line_id, load_id') ~ ')') }} as lines_fingerprint
    from order_lines
    group by cast({{ dbt.date_trunc('month', 'order_date') }} as date)

),

-- the months this build sums: every one, or in an incremental build those whose lines this
-- table has not summed
months_to_aggregate as (

    select * from month_fingerprints
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as aggregated
        where aggregated.month_start_date = month_fingerprints.month_start_date
            and aggregated.lines_fingerprint = month_fingerprints.lines_fingerprint
    )
    {%- endif %}

),

-- the months this table holds that have no line left (their files were removed): none in a
-- full build
months_gone as (

    {% if is_incremental() %}
        select distinct aggregated.month_start_date
        from {{ this }} as aggregated
        where not exists (
            select 1
            from month_fingerprints
            where month_fingerprints.month_start_date = aggregated.month_start_date
        )
    {% else %}
        select cast(null as date) as month_start_date
        where false
    {% endif %}

),

lines_to_aggregate as {{ not_materialized() }} (

    select
        months_to_aggregate.month_start_date,
        months_to_aggregate.lines_fingerprint,
        order_lines.order_id,
        order_lines.customer_id,
        order_lines.sales_channel,
        order_lines.store_id,
        order_lines.product_id,
        order_lines.quantity,
        order_lines.gross_revenue,
        order_lines.discount_amount,
        order_lines.net_revenue,
        order_lines.cost_amount,
        order_lines.gross_margin,
        order_lines.discount_rate
    from order_lines
    inner join months_to_aggregate
        on cast({{ dbt.date_trunc('month', 'order_lines.order_date') }} as date) = months_to_aggregate.month_start_date
    {%- if is_incremental() %}
    -- the same lines: a bound on the column itself lets the scan skip the row groups before
    -- the first month to sum (a full build sums every month, and the bound would only cost)
    where order_lines.order_date >= (select min(month_start_date) from months_to_aggregate)
    {%- endif %}

),

-- one sum per member, each with its own hash table: `group by grouping sets` would hold the
-- three at once, for much more memory (docs/performance.md)
by_channel as (

    select
        month_start_date,
        lines_fingerprint,
        'sales_channel' as member_type,
        sales_channel,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as product_id,
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        count(*) as order_lines,
        sum(quantity) as quantity,
        sum(gross_revenue) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(net_revenue) as net_revenue,
        sum(cost_amount) as cost_amount,
        sum(gross_margin) as gross_margin,
        sum(discount_rate) as discount_rate_sum,
        count(discount_rate) as discount_rates
    from lines_to_aggregate
    where sales_channel is not null
    group by month_start_date, lines_fingerprint, sales_channel

),

by_store as (

    select
        month_start_date,
        lines_fingerprint,
        'store_id' as member_type,
        cast(null as {{ dbt.type_string() }}) as sales_channel,
        store_id,
        cast(null as {{ dbt.type_string() }}) as product_id,
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        count(*) as order_lines,
        sum(quantity) as quantity,
        sum(gross_revenue) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(net_revenue) as net_revenue,
        sum(cost_amount) as cost_amount,
        sum(gross_margin) as gross_margin,
        sum(discount_rate) as discount_rate_sum,
        count(discount_rate) as discount_rates
    from lines_to_aggregate
    where store_id is not null
    group by month_start_date, lines_fingerprint, store_id

),

by_product as (

    select
        month_start_date,
        lines_fingerprint,
        'product_id' as member_type,
        cast(null as {{ dbt.type_string() }}) as sales_channel,
        cast(null as {{ dbt.type_string() }}) as store_id,
        product_id,
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        count(*) as order_lines,
        sum(quantity) as quantity,
        sum(gross_revenue) as gross_revenue,
        sum(discount_amount) as discount_amount,
        sum(net_revenue) as net_revenue,
        sum(cost_amount) as cost_amount,
        sum(gross_margin) as gross_margin,
        sum(discount_rate) as discount_rate_sum,
        count(discount_rate) as discount_rates
    from lines_to_aggregate
    where product_id is not null
    group by month_start_date, lines_fingerprint, product_id

),

unioned as (

    select * from by_channel
    union all
    select * from by_store
    union all
    select * from by_product

),

final as (

    select
        coalesce(unioned.month_start_date, months_gone.month_start_date) as month_start_date,
        unioned.member_type,
        unioned.sales_channel,
        unioned.store_id,
        unioned.product_id,
        cast(unioned.orders as bigint) as orders,
        cast(unioned.customers as bigint) as customers,
        cast(unioned.order_lines as bigint) as order_lines,
        cast(unioned.quantity as bigint) as quantity,
        cast(unioned.gross_revenue as decimal(18, 2)) as gross_revenue,
        cast(unioned.discount_amount as decimal(18, 2)) as discount_amount,
        cast(unioned.net_revenue as decimal(18, 2)) as net_revenue,
        cast(unioned.cost_amount as decimal(18, 2)) as cost_amount,
        cast(unioned.gross_margin as decimal(18, 2)) as gross_margin,
        cast(unioned.discount_rate_sum as decimal(18, 4)) as discount_rate_sum,
        cast(unioned.discount_rates as bigint) as discount_rates,
        unioned.lines_fingerprint
    from unioned
    -- a month gone comes out as one row without a member: replacing the month deletes its rows
    full join months_gone on unioned.month_start_date = months_gone.month_start_date

)

select * from final
