-- grain: one row per store with at least one clean order line

{{ member_lifetime(ref('fct_sales'), 'store_id') }}
