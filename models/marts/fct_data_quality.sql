-- grain: one row per raw sales file and line outcome (loaded, or the reason it was quarantined)
--
-- What each raw file gave: its order lines loaded (stg_sales__order_lines) and those staging
-- refused, by their first reason (stg_sales__quarantined_order_lines), so a BI user sees the
-- quarantine without opening staging. Together the rows of a file are all its records
-- (tests/assert_every_raw_row_accounted_for.sql proves that for the lines behind them).

with

order_lines as (

    select * from {{ ref('stg_sales__order_lines') }}

),

quarantined as (

    select * from {{ ref('stg_sales__quarantined_order_lines') }}

),

outcomes as (

    select
        source_file,
        'loaded' as line_outcome,
        count(*) as order_lines
    from order_lines
    group by source_file

    union all

    select
        source_file,
        quarantine_reason as line_outcome,
        count(*) as order_lines
    from quarantined
    group by source_file, quarantine_reason

),

final as (

    select
        source_file,
        cast(line_outcome as {{ dbt.type_string() }}) as line_outcome,
        line_outcome <> 'loaded' as is_quarantined,
        cast(order_lines as bigint) as order_lines,
        cast(order_lines as double)
        / cast(sum(order_lines) over (partition by source_file) as double) as share_of_file_order_lines
    from outcomes

)

select * from final
