-- grain: one row per order and customer
--
-- Order lines rolled up to orders: the unit frequency counts. A cancellation invoice
-- (online_retail) is its own order with negative revenue; it nets against monetary value but is
-- not a purchase. A table: dim_customers, fct_customer_rfm and fct_monthly_sales all read it, and
-- as a view each of them would re-aggregate every order line.
--
-- On DuckDB an incremental table. Each order records the loads of the raw files its lines came
-- from (source_file_loads). A build aggregates again only the orders with a line from a load it
-- has not aggregated (a new or reloaded file) or from a load that is gone (keys_of_gone_loads:
-- a file changed, reloaded or removed), and replaces them by key; the post-hook deletes the
-- orders none of whose lines remain. order_hash, a hash of each order's row, lets the models
-- that recompute only what changed (int_customers_rfm_history_scored) fingerprint a set of
-- orders without hashing them again. The state is the table itself, so a build that stopped
-- before this model leaves nothing behind: the next one catches up.
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key=['order_id', 'customer_id'],
    on_schema_change='append_new_columns',
    post_hook=[
        "{% if is_incremental() %}delete from {{ this }} as orders using ("
        ~ "{{ keys_of_gone_loads(this, '(' ~ file_loads(ref('stg_sales__order_lines')) ~ ')', ['order_id', 'customer_id']) }}) as gone"
        ~ " where orders.order_id = gone.order_id and orders.customer_id = gone.customer_id{% endif %}",
    ],
) }}

{#- a table from before it kept source_file_loads or order_hash: every order is aggregated again #}
{%- set incremental = is_incremental()
    and relation_has_column(this, 'source_file_loads') and relation_has_column(this, 'order_hash') %}

with

-- read where used: an incremental build reads it three times, and a copy would hold every line
order_lines as {{ not_materialized() }} (

    select * from {{ ref('stg_sales__order_lines') }}

),

{% if incremental %}
current_loads as (

    {{ file_loads('order_lines') }}

),

-- file loads with lines this table has not aggregated yet
new_loads as (

    {{ new_file_loads(this, 'current_loads') }}

),

orders_to_aggregate as (

    {{ keys_of_gone_loads(this, 'current_loads', ['order_id', 'customer_id']) }}
    union
    select order_lines.order_id, order_lines.customer_id
    from order_lines
    semi join new_loads on order_lines.load_id = new_loads.load_id and order_lines.source_file = new_loads.source_file

),

lines_to_aggregate as (

    select order_lines.*
    from order_lines
    semi join orders_to_aggregate
        on order_lines.order_id = orders_to_aggregate.order_id
        and order_lines.customer_id = orders_to_aggregate.customer_id

),
{% else %}
    lines_to_aggregate as (

        select * from order_lines

    ),
{% endif %}

aggregated as (

    select
        order_id,
        customer_id,
        min(sales_channel) as sales_channel,
        cast(count(*) as bigint) as order_lines,
        cast(sum(quantity) as bigint) as quantity,
        cast(sum(gross_revenue) as decimal(18, 2)) as gross_revenue,
        cast(sum(net_revenue) as decimal(18, 2)) as net_revenue,
        bool_and(is_cancellation) as is_cancellation,
        min(order_date) as order_date,
        {{ distinct_sorted_list(text_hash('load_id, source_file')) }} as source_file_loads
    from lines_to_aggregate
    group by order_id, customer_id

),

final as (

    select
        *,
        {{ text_hash(
            'order_id, customer_id, sales_channel, order_lines, quantity, gross_revenue, net_revenue, is_cancellation, order_date'
        ) }} as order_hash
    from aggregated

)

select * from final
