-- grain: one row per store and one per product with at least one clean order line
--
-- The clean order lines summed over all time by store and by product: what dim_stores and
-- dim_products report. member_type says which of store_id and product_id member_id is. Amounts
-- are summed exactly; the marts derive the average discount rate and the rank.
--
-- On DuckDB an incremental table. Each row records the loads of the raw files its lines came
-- from (source_file_loads). A member with a line from a load that is gone (a file changed,
-- reloaded or removed) is summed again from all its lines. A member with lines only from new
-- loads and loads it has summed adds the new lines to its row: the sums, counts and dates
-- merge, and its distinct orders and customers grow by those of the new lines that no earlier
-- line of the member has (a load's lines never change, so the earlier lines are every line not
-- from a new load). A member with no line left comes out as a row without figures, so the
-- replace deletes its row, and the post-hook drops that row. A daily load then reads the day's
-- lines and probes the earlier ones for their orders and customers, where a rebuild counts
-- every member's distinct orders and customers again.
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='delete+insert',
    unique_key=['member_type', 'member_id'],
    post_hook=[
        "{% if is_incremental() %}delete from {{ this }} where order_lines is null{% endif %}",
    ],
) }}

{%- set members = ['store_id', 'product_id'] %}

with

-- read where used: an incremental build reads the new lines and probes the earlier ones
order_lines as {{ not_materialized() }} (

    select * from {{ ref('stg_sales__order_lines') }}

),

{% if is_incremental() %}
-- each line once per member it has: (member_type, member_id)
member_lines as {{ not_materialized() }} (

    {%- for member in members %}
    select
        '{{ member }}' as member_type,
        cast({{ member }} as {{ dbt.type_string() }}) as member_id,
        {%- if member == 'product_id' %}
        product_description,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as product_description,
        {%- endif %}
        order_id,
        customer_id,
        quantity,
        net_revenue,
        gross_margin,
        discount_rate,
        order_date,
        load_id,
        source_file
    from order_lines
    where {{ member }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

current_loads as (

    {{ file_loads('order_lines') }}

),

-- file loads with lines this table has not summed yet
new_loads as (

    {{ new_file_loads(this, 'current_loads') }}

),

-- members with a line from a load that is gone: summed again from all their lines
members_to_sum as (

    {{ keys_of_gone_loads(this, 'current_loads', ['member_type', 'member_id']) }}

),

-- the new loads' lines of the other members: added to their rows
lines_to_add as {{ not_materialized() }} (

    select member_lines.*
    from member_lines
    semi join new_loads
        on member_lines.load_id = new_loads.load_id
        and member_lines.source_file = new_loads.source_file
    anti join members_to_sum
        on member_lines.member_type = members_to_sum.member_type
        and member_lines.member_id = members_to_sum.member_id

),

-- the lines the rows of those members already sum: every line not from a new load
earlier_lines as {{ not_materialized() }} (

    select member_lines.*
    from member_lines
    anti join new_loads
        on member_lines.load_id = new_loads.load_id
        and member_lines.source_file = new_loads.source_file

),

{%- for counted in ['order_id', 'customer_id'] %}

-- the new lines' (member, {{ counted }}) pairs that no earlier line of the member has (a NULL
-- is not counted, as count(distinct) leaves it out)
first_{{ counted }}s as (

    select added.member_type, added.member_id, count(*) as first_{{ counted }}s
    from (
        select distinct member_type, member_id, {{ counted }}
        from lines_to_add
        where {{ counted }} is not null
    ) as added
    anti join earlier_lines
        on added.member_type = earlier_lines.member_type
        and added.member_id = earlier_lines.member_id
        and added.{{ counted }} = earlier_lines.{{ counted }}
    group by added.member_type, added.member_id

),
{%- endfor %}

added as (

    select
        lines_to_add.member_type,
        lines_to_add.member_id,
        max(lines_to_add.product_description) as product_description,
        coalesce(max(first_order_ids.first_order_ids), 0) as orders,
        coalesce(max(first_customer_ids.first_customer_ids), 0) as customers,
        count(*) as order_lines,
        sum(lines_to_add.quantity) as quantity,
        sum(lines_to_add.net_revenue) as net_revenue,
        sum(lines_to_add.gross_margin) as gross_margin,
        sum(lines_to_add.discount_rate) as discount_rate_sum,
        count(lines_to_add.discount_rate) as discount_rates,
        min(lines_to_add.order_date) as first_order_date,
        max(lines_to_add.order_date) as last_order_date,
        {{ distinct_sorted_list(text_hash('lines_to_add.load_id, lines_to_add.source_file'), large_groups=true) }} as source_file_loads
    from lines_to_add
    left join first_order_ids
        on lines_to_add.member_type = first_order_ids.member_type
        and lines_to_add.member_id = first_order_ids.member_id
    left join first_customer_ids
        on lines_to_add.member_type = first_customer_ids.member_type
        and lines_to_add.member_id = first_customer_ids.member_id
    group by lines_to_add.member_type, lines_to_add.member_id

),

-- each added member's row as it is, and what the new lines add to it
merged as (

    select
        member_type,
        member_id,
        max(product_description) as product_description,
        sum(orders) as orders,
        sum(customers) as customers,
        sum(order_lines) as order_lines,
        sum(quantity) as quantity,
        sum(net_revenue) as net_revenue,
        sum(gross_margin) as gross_margin,
        sum(discount_rate_sum) as discount_rate_sum,
        sum(discount_rates) as discount_rates,
        min(first_order_date) as first_order_date,
        max(last_order_date) as last_order_date,
        list_sort(list_distinct(flatten(list(source_file_loads)))) as source_file_loads
    from (
        select
            summed.member_type,
            summed.member_id,
            summed.product_description,
            summed.orders,
            summed.customers,
            summed.order_lines,
            summed.quantity,
            summed.net_revenue,
            summed.gross_margin,
            summed.discount_rate_sum,
            summed.discount_rates,
            summed.first_order_date,
            summed.last_order_date,
            summed.source_file_loads
        from {{ this }} as summed
        semi join added on summed.member_type = added.member_type and summed.member_id = added.member_id
        union all
        select * from added
    ) as rows_to_merge
    group by member_type, member_id

),
{% endif %}

-- each member's lines summed: every member in a full build, in an incremental one those with a
-- line from a gone load. One aggregate per member type, each grouping by its own column.
-- sqlfluff cannot follow the loop's indentation
-- noqa: disable=LT02
{%- for member in members %}

summed_{{ member }} as (

    select
        '{{ member }}' as member_type,
        cast({{ member }} as {{ dbt.type_string() }}) as member_id,
        {%- if member == 'product_id' %}
        max(product_description) as product_description,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as product_description,
        {%- endif %}
        count(distinct order_id) as orders,
        count(distinct customer_id) as customers,
        count(*) as order_lines,
        sum(quantity) as quantity,
        sum(net_revenue) as net_revenue,
        sum(gross_margin) as gross_margin,
        sum(discount_rate) as discount_rate_sum,
        count(discount_rate) as discount_rates,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        {{ distinct_sorted_list(text_hash('load_id, source_file'), large_groups=true) }} as source_file_loads
    from order_lines
    where {{ member }} is not null
    {%- if is_incremental() %}
        and {{ member }} in (select member_id from members_to_sum where member_type = '{{ member }}')
    {%- endif %}
    group by {{ member }}

),
{%- endfor %}

summed as (

    {%- for member in members %}
    select * from summed_{{ member }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),
-- noqa: enable=LT02

unioned as (

    select * from summed
    {%- if is_incremental() %}
    union all
    select * from merged
    union all
    -- a member summed again with no line left: a row without figures, deleted by the post-hook
    select
        members_to_sum.member_type,
        members_to_sum.member_id,
        null, null, null, null, null, null, null, null, null, null, null, null
    from members_to_sum
    anti join summed on members_to_sum.member_type = summed.member_type and members_to_sum.member_id = summed.member_id
    {%- endif %}

),

final as (

    select
        member_type,
        member_id,
        product_description,
        cast(orders as bigint) as orders,
        cast(customers as bigint) as customers,
        cast(order_lines as bigint) as order_lines,
        cast(quantity as bigint) as quantity,
        cast(net_revenue as decimal(38, 2)) as net_revenue,
        cast(gross_margin as decimal(38, 2)) as gross_margin,
        cast(discount_rate_sum as decimal(38, 4)) as discount_rate_sum,
        cast(discount_rates as bigint) as discount_rates,
        first_order_date,
        last_order_date,
        source_file_loads
    from unioned

)

select * from final
