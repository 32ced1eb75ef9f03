{#-
    BG/NBD's expected purchases in the next `horizon_days` (Fader, Hardie & Lee 2005, equation
    10, with Euler's transformation; see int_customers_clv_scored), given the sum of its series
    at that horizon (`series`, a column). Reads the fit's a and alpha and the customer's
    repeat_purchase_days (x), days_since_first_purchase (T) and dropped_out_odds from the
    model's customer_odds CTE.
-#}
{% macro bg_nbd_expected_purchases(horizon_days, series) -%}
    (customer_odds.a + customer_odds.b + customer_odds.repeat_purchase_days - 1) / nullif(customer_odds.a - 1, 0)
    * (
        1 - power(
            (customer_odds.alpha + customer_odds.days_since_first_purchase)
            / (customer_odds.alpha + customer_odds.days_since_first_purchase + {{ horizon_days }}),
            customer_odds.a - 1
        ) * {{ series }}
    )
    / (1 + customer_odds.dropped_out_odds)
{%- endmacro %}
