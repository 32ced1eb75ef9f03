-- grain: one row per month and store

{{ monthly_member_performance(ref('fct_sales'), 'store_id') }}
