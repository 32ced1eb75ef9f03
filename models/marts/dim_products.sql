-- grain: one row per product with at least one clean order line

{{ member_lifetime(ref('fct_sales'), 'product_id', extra_columns=['product_description']) }}
