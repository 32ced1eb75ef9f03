-- grain: one row per cut-off (scoring, churn_holdout) and customer with a purchase before it
--
-- The BG/NBD and Gamma-Gamma predictions, computed in SQL from the fitted parameter rows
-- (int_clv_model_fitted), so any warehouse can score customers without Python. The same
-- closed forms as retail_segmentation/clv.py, which the tests compare this model with:
--   p_alive = 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x))
--   E[X(t)] = (a + b + x - 1) / (a - 1)
--             (1 - ((alpha + T) / (alpha + T + t))^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z))
--             / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)),  z = t / (alpha + T + t)
--   P(no purchase in t) = 1 - p_alive (1 - ((alpha + T) / (alpha + T + t))^(r + x))
--   E[M] = (p v + p x m_x) / (p x + q - 1)
-- The 2F1 series is summed term by term (each term from log-gammas, with its sign) until terms
-- fall below 1e-13 of the first, for each distinct (x, T, t) once.
-- discounted_expected_purchases_365d: the purchases expected in each quarter of the next year,
-- each discounted from the quarter's end at clv_annual_discount_rate (the 365-day CLV is this
-- times expected_average_order_value).
{{ config(materialized='table') }}

{%- set max_terms = 5000 %}
{%- set discount = var('clv_annual_discount_rate') %}

with

summaries as (

    select * from {{ ref('int_customer_purchase_summaries') }}
    where cutoff_role in ('scoring', 'churn_holdout')

),

parameters as (

    select * from {{ ref('int_clv_model_fitted') }}

),

fits as (

    select
        case fitted_for when 'clv' then 'scoring' else 'churn_holdout' end as cutoff_role,
        max(case when parameter = 'r' then value end) as r,
        max(case when parameter = 'alpha' then value end) as alpha,
        max(case when parameter = 'a' then value end) as a,
        max(case when parameter = 'b' then value end) as b,
        max(case when parameter = 'p' then value end) as p,
        max(case when parameter = 'q' then value end) as q,
        max(case when parameter = 'v' then value end) as v
    from parameters
    group by fitted_for

),

-- 90 days, and the ends of the four quarters of the next year
horizons as (

    select cast(90 as double) as horizon_days
    union all
    select cast(91.25 as double) as horizon_days
    union all
    select cast(182.5 as double) as horizon_days
    union all
    select cast(273.75 as double) as horizon_days
    union all
    select cast(365 as double) as horizon_days

),

term_numbers as (

    {{ dbt.generate_series(max_terms) }}

),

-- each distinct (x, T, t) of a cut-off, with the series' parameters
distinct_points as (

    select distinct
        fits.cutoff_role,
        summaries.repeat_purchase_days,
        summaries.days_since_first_purchase,
        horizons.horizon_days,
        fits.a + fits.b + summaries.repeat_purchase_days - 1 as lower_c,
        horizons.horizon_days / (fits.alpha + summaries.days_since_first_purchase + horizons.horizon_days) as z
    from summaries
    inner join fits on summaries.cutoff_role = fits.cutoff_role
    cross join horizons

),

-- how many terms each needs: the terms shrink about as z^k, so until z^k < 1e-13
series_points as (

    select
        *,
        least({{ max_terms }}, cast(ceil(ln(1e-13) / ln(z)) as integer) + 5) as terms_needed
    from distinct_points

),

-- the part of term k of 2F1(A, B; C; z) that depends on the fit alone, for k = 1..max:
-- ln |(A)_k (B)_k / k!| with (X)_k = Gamma(X + k) / Gamma(X) from ln |Gamma|, and how many of
-- the factors X, X + 1, ..., X + k - 1 are negative (they give the term's sign)
fit_terms as (

    select
        fits.cutoff_role,
        term_numbers.generated_number as term_number,
        {{ negative_factors('fits.a + fits.b - 1 - fits.r', 'term_numbers.generated_number') }}
        + {{ negative_factors('fits.a - 1', 'term_numbers.generated_number') }} as negative_factors,
        {{ log_gamma('fits.a + fits.b - 1 - fits.r + term_numbers.generated_number') }}
        - {{ log_gamma('fits.a + fits.b - 1 - fits.r') }}
        + {{ log_gamma('fits.a - 1 + term_numbers.generated_number') }}
        - {{ log_gamma('fits.a - 1') }}
        - {{ log_gamma('term_numbers.generated_number + 1') }} as log_numerator
    from fits
    cross join term_numbers
    where fits.a + fits.b - 1 - fits.r <> 0 and fits.a <> 1

),

-- each repeat count x of a cut-off, with C = a + b + x - 1 and the most terms a point of it needs
repeat_counts as (

    select
        cutoff_role,
        repeat_purchase_days,
        lower_c,
        max(terms_needed) as terms_needed
    from series_points
    group by cutoff_role, repeat_purchase_days, lower_c

),

-- the part of term k that depends on the fit and x alone: the fit's part over (C)_k, its sign
-- from the negative factors of all three rising factorials. Points share x far more than
-- (x, T, t), so the log-gammas are taken once per x and k, not once per point and k.
repeat_terms as (

    select
        fit_terms.cutoff_role,
        repeat_counts.repeat_purchase_days,
        fit_terms.term_number,
        case
            when mod(
                    fit_terms.negative_factors
                    + {{ negative_factors('repeat_counts.lower_c', 'fit_terms.term_number') }},
                    2
                ) = 0
                then 1
            else -1
        end as term_sign,
        fit_terms.log_numerator
        - {{ log_gamma('repeat_counts.lower_c + fit_terms.term_number') }}
        + {{ log_gamma('repeat_counts.lower_c') }} as log_coefficient
    from repeat_counts
    inner join fit_terms
        on repeat_counts.cutoff_role = fit_terms.cutoff_role
        and repeat_counts.terms_needed >= fit_terms.term_number

),

-- term k >= 1 of each point's series: its x's part times z^k
series_terms as (

    select
        series_points.cutoff_role,
        series_points.repeat_purchase_days,
        series_points.days_since_first_purchase,
        series_points.horizon_days,
        repeat_terms.term_sign
        * exp(repeat_terms.log_coefficient + term_numbers.generated_number * ln(series_points.z)) as term
    from series_points
    inner join term_numbers on series_points.terms_needed >= term_numbers.generated_number
    inner join repeat_terms
        on series_points.cutoff_role = repeat_terms.cutoff_role
        and series_points.repeat_purchase_days = repeat_terms.repeat_purchase_days
        and term_numbers.generated_number = repeat_terms.term_number

),

series_sums as (

    select
        series_points.cutoff_role,
        series_points.repeat_purchase_days,
        series_points.days_since_first_purchase,
        series_points.horizon_days,
        -- summed as decimals: a sum of doubles depends on the order a parallel aggregation
        -- adds them in, and two builds would differ in the last bit
        1 + cast(coalesce(sum(cast(series_terms.term as decimal(38, 20))), 0) as double) as hypergeometric_series
    from series_points
    left join series_terms
        on series_points.cutoff_role = series_terms.cutoff_role
        and series_points.repeat_purchase_days = series_terms.repeat_purchase_days
        and series_points.days_since_first_purchase = series_terms.days_since_first_purchase
        and series_points.horizon_days = series_terms.horizon_days
    group by
        series_points.cutoff_role,
        series_points.repeat_purchase_days,
        series_points.days_since_first_purchase,
        series_points.horizon_days

),

customer_odds as (

    select
        summaries.*,
        fits.r,
        fits.alpha,
        fits.a,
        fits.b,
        fits.p,
        fits.q,
        fits.v,
        -- the odds that the customer dropped out after their last purchase
        case
            when summaries.repeat_purchase_days > 0
                then fits.a / (fits.b + summaries.repeat_purchase_days - 1)
                    * power(
                        (fits.alpha + summaries.days_since_first_purchase)
                        / (fits.alpha + summaries.days_first_to_last_purchase),
                        fits.r + summaries.repeat_purchase_days
                    )
            else 0
        end as dropped_out_odds
    from summaries
    inner join fits on summaries.cutoff_role = fits.cutoff_role

),

-- each (x, T)'s series at the five horizons side by side
series_by_point as (

    select
        cutoff_role,
        repeat_purchase_days,
        days_since_first_purchase,
        max(case when horizon_days = 90 then hypergeometric_series end) as series_90d,
        max(case when horizon_days = 91.25 then hypergeometric_series end) as series_q1,
        max(case when horizon_days = 182.5 then hypergeometric_series end) as series_q2,
        max(case when horizon_days = 273.75 then hypergeometric_series end) as series_q3,
        max(case when horizon_days = 365 then hypergeometric_series end) as series_q4
    from series_sums
    group by cutoff_role, repeat_purchase_days, days_since_first_purchase

),

by_horizon as (

    select
        customer_odds.cutoff_role,
        customer_odds.customer_id,
        {{ bg_nbd_expected_purchases(90, 'series_by_point.series_90d') }} as expected_purchases_90d,
        {{ bg_nbd_expected_purchases(91.25, 'series_by_point.series_q1') }} as expected_purchases_q1,
        {{ bg_nbd_expected_purchases(182.5, 'series_by_point.series_q2') }} as expected_purchases_q2,
        {{ bg_nbd_expected_purchases(273.75, 'series_by_point.series_q3') }} as expected_purchases_q3,
        {{ bg_nbd_expected_purchases(365, 'series_by_point.series_q4') }} as expected_purchases_q4
    from customer_odds
    inner join series_by_point
        on customer_odds.cutoff_role = series_by_point.cutoff_role
        and customer_odds.repeat_purchase_days = series_by_point.repeat_purchase_days
        and customer_odds.days_since_first_purchase = series_by_point.days_since_first_purchase

),

final as (

    select
        customer_odds.cutoff_role,
        customer_odds.cutoff_date,
        customer_odds.customer_id,
        customer_odds.repeat_purchase_days,
        customer_odds.days_first_to_last_purchase,
        customer_odds.days_since_first_purchase,
        customer_odds.mean_repeat_day_value,
        1 / (1 + customer_odds.dropped_out_odds) as p_alive,
        1 - (1 / (1 + customer_odds.dropped_out_odds)) * (
            1 - power(
                (customer_odds.alpha + customer_odds.days_since_first_purchase)
                / (customer_odds.alpha + customer_odds.days_since_first_purchase + {{ var('churn_horizon_days') }}),
                customer_odds.r + customer_odds.repeat_purchase_days
            )
        ) as probability_no_purchase_in_horizon,
        by_horizon.expected_purchases_90d,
        by_horizon.expected_purchases_q4 as expected_purchases_365d,
        (
            customer_odds.p * customer_odds.v
            + customer_odds.p * customer_odds.repeat_purchase_days * coalesce(customer_odds.mean_repeat_day_value, 0)
        )
        / (customer_odds.p * customer_odds.repeat_purchase_days + customer_odds.q - 1) as expected_average_order_value,
        by_horizon.expected_purchases_q1 / power(1 + {{ discount }}, 0.25)
        + (by_horizon.expected_purchases_q2 - by_horizon.expected_purchases_q1) / power(1 + {{ discount }}, 0.5)
        + (by_horizon.expected_purchases_q3 - by_horizon.expected_purchases_q2) / power(1 + {{ discount }}, 0.75)
        + (by_horizon.expected_purchases_q4 - by_horizon.expected_purchases_q3) / (1 + {{ discount }})
            as discounted_expected_purchases_365d
    from customer_odds
    inner join by_horizon
        on customer_odds.cutoff_role = by_horizon.cutoff_role
        and customer_odds.customer_id = by_horizon.customer_id

)

select * from final
