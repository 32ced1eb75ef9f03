{#-
    The raw sales contracts: for each layout, its columns in file order, as
    (header in the file, snake_case name). Staging reads exactly these; a file missing any of
    them stops the build. Extra columns are ignored.
-#}
{% macro raw_sales_layout(raw_format=none) %}
    {%- set raw_format = raw_format or var('raw_sales_format') -%}
    {%- set layouts = {
        'retail_chain': [
            ('OrderNumber', 'order_number'),
            ('Sales Channel', 'sales_channel'),
            ('WarehouseCode', 'warehouse_code'),
            ('ProcuredDate', 'procured_date'),
            ('OrderDate', 'order_date'),
            ('ShipDate', 'ship_date'),
            ('DeliveryDate', 'delivery_date'),
            ('CurrencyCode', 'currency_code'),
            ('_SalesTeamID', 'sales_team_id'),
            ('_CustomerID', 'customer_id'),
            ('_StoreID', 'store_id'),
            ('_ProductID', 'product_id'),
            ('Order Quantity', 'order_quantity'),
            ('Discount Applied', 'discount_applied'),
            ('Unit Cost', 'unit_cost'),
            ('Unit Price', 'unit_price'),
        ],
        'online_retail': [
            ('Invoice', 'invoice'),
            ('StockCode', 'stock_code'),
            ('Description', 'description'),
            ('Quantity', 'quantity'),
            ('InvoiceDate', 'invoice_date'),
            ('Price', 'price'),
            ('Customer ID', 'customer_id'),
            ('Country', 'country'),
        ],
    } -%}
    {%- if raw_format not in layouts -%}
        {{ exceptions.raise_compiler_error(
            "raw_sales_format '" ~ raw_format ~ "' is not a known layout: use one of "
            ~ (layouts.keys() | list | join(', '))) }}
    {%- endif -%}
    {{ return(layouts[raw_format]) }}
{% endmacro %}
