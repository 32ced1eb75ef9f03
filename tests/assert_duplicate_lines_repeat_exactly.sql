-- base_sales__order_lines finds duplicate lines by an 8-byte hash of their raw values (one cheap
-- pass instead of sorting every line). This holds the hash to its word: every line flagged
-- duplicate_line has exactly the raw values of the earlier line it repeats. Returns the lines
-- where that is not so: two different lines that share a hash (about 3 in 10,000 builds of
-- 100M lines) would show here, and the build stops instead of quarantining a good line quietly.

with

order_lines as {{ not_materialized() }} (

    select * from {{ ref('base_sales__order_lines') }}

),

duplicates as (

    select * from order_lines
    where duplicate_of_order_line_id is not null

),

final as (

    select
        duplicates.source_file,
        duplicates.source_line_number,
        duplicates.duplicate_of_order_line_id
    from duplicates
    left join order_lines as first_lines
        on duplicates.duplicate_of_order_line_id = first_lines.order_line_id
    where first_lines.order_line_id is null
        or duplicates.raw_values is null
        or duplicates.raw_values is distinct from first_lines.raw_values

)

select * from final
