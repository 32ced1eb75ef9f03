-- grain: one row per month and channel

{{ monthly_member_performance(ref('fct_sales'), 'sales_channel') }}
