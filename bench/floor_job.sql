-- The whole-job floor: the essential work of the full build, hand-written in DuckDB, with no
-- tests, no quarantine and no segmentation. Every column of the raw retail_chain file is parsed
-- once into one typed table; then the orders, the RFM scores per customer and the four monthly
-- marts (month, month x channel, month x store, month x product) are each one query over it.
-- `make bench` runs the script in one connection and times them together; {path}
-- is replaced by the benchmark. The full build should stay within 1.5x of this.

create table sales_lines as
select
    "OrderNumber" as order_id,
    "Sales Channel" as sales_channel,
    "WarehouseCode" as warehouse_code,
    try_strptime("ProcuredDate", ['%d/%m/%y', '%d/%m/%Y', '%Y-%m-%d'])::date as procured_date,
    try_strptime("OrderDate", ['%d/%m/%y', '%d/%m/%Y', '%Y-%m-%d'])::date as order_date,
    try_strptime("ShipDate", ['%d/%m/%y', '%d/%m/%Y', '%Y-%m-%d'])::date as ship_date,
    try_strptime("DeliveryDate", ['%d/%m/%y', '%d/%m/%Y', '%Y-%m-%d'])::date as delivery_date,
    "CurrencyCode" as currency_code,
    try_cast("_SalesTeamID" as bigint) as sales_team_id,
    try_cast("_CustomerID" as bigint) as customer_id,
    try_cast("_StoreID" as bigint) as store_id,
    try_cast("_ProductID" as bigint) as product_id,
    try_cast("Order Quantity" as integer) as quantity,
    try_cast("Discount Applied" as decimal(9, 4)) as discount_rate,
    try_cast(replace(replace("Unit Cost", '$', ''), ',', '') as decimal(18, 4)) as unit_cost,
    try_cast(replace(replace("Unit Price", '$', ''), ',', '') as decimal(18, 4)) as unit_price,
    cast(quantity * unit_price as decimal(18, 2)) as gross_revenue,
    cast(quantity * unit_price * (1 - discount_rate) as decimal(18, 2)) as net_revenue
from read_csv('{path}', header = true, all_varchar = true);

create table orders as
select
    order_id,
    customer_id,
    min(sales_channel) as sales_channel,
    count(*) as order_lines,
    sum(quantity) as quantity,
    sum(net_revenue) as net_revenue,
    min(order_date) as order_date
from sales_lines
group by order_id, customer_id;

create table customer_rfm as
select
    *,
    least(5, 1 + cast(floor(5 * percent_rank() over (order by recency_days desc)) as integer)) as r_score,
    least(5, 1 + cast(floor(5 * percent_rank() over (order by frequency asc)) as integer)) as f_score,
    least(5, 1 + cast(floor(5 * percent_rank() over (order by monetary asc)) as integer)) as m_score
from (
    select
        customer_id,
        (select max(order_date) from orders) + 1 - max(order_date) as recency_days,
        count(*) as frequency,
        sum(net_revenue) as monetary
    from orders
    group by customer_id
);

create table monthly_sales as
select
    date_trunc('month', order_date) as order_month,
    count(distinct order_id) as orders,
    count(distinct customer_id) as customers,
    sum(net_revenue) as net_revenue
from sales_lines
group by 1;

create table channel_performance as
select
    date_trunc('month', order_date) as order_month,
    sales_channel,
    count(distinct order_id) as orders,
    count(distinct customer_id) as customers,
    sum(net_revenue) as net_revenue
from sales_lines
group by 1, 2;

create table store_performance as
select
    date_trunc('month', order_date) as order_month,
    store_id,
    count(distinct order_id) as orders,
    count(distinct customer_id) as customers,
    sum(net_revenue) as net_revenue
from sales_lines
group by 1, 2;

create table product_performance as
select
    date_trunc('month', order_date) as order_month,
    product_id,
    count(distinct order_id) as orders,
    sum(quantity) as quantity,
    sum(net_revenue) as net_revenue
from sales_lines
group by 1, 2;
