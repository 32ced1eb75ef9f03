-- grain: one row per month and product

{{ monthly_member_performance(ref('fct_sales'), 'product_id') }}
