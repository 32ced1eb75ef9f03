-- The floor: one DuckDB statement that parses the raw retail_chain file and computes RFM per
-- customer. The full build cannot be cheaper than reading the raw data once; this measures
-- that read plus the smallest useful aggregation. {path} is replaced by the benchmark.
select
    "_CustomerID" as customer_id,
    max(order_date) as last_order_date,
    count(distinct "OrderNumber") as frequency,
    sum(try_cast("Order Quantity" as integer)
        * try_cast(replace(replace("Unit Price", '$', ''), ',', '') as decimal(18, 4))
        * (1 - try_cast("Discount Applied" as decimal(9, 4)))) as monetary
from (
    select *, try_strptime("OrderDate", ['%d/%m/%y', '%d/%m/%Y', '%Y-%m-%d']) as order_date
    from read_csv('{path}', header = true, all_varchar = true)
) as raw_lines
group by 1
