{#-
    The RFM as-of date: the var rfm_as_of_date (yyyy-mm-dd), or the day after the latest order
    in `orders_relation`.
-#}
{% macro rfm_as_of_date(orders_relation) -%}
    {%- set as_of = var('rfm_as_of_date') -%}
    {%- if as_of -%}
        {%- if not modules.re.match('^\\d{4}-\\d{2}-\\d{2}$', as_of | string) -%}
            {{ exceptions.raise_compiler_error("rfm_as_of_date must be a date as yyyy-mm-dd, got '" ~ as_of ~ "'") }}
        {%- endif -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        (select cast({{ dbt.dateadd('day', 1, 'max(order_date)') }} as date) from {{ orders_relation }})
    {%- endif -%}
{%- endmacro %}


{#-
    An RFM score, 1-5 (5 best), from a value's percent rank among all customers:
        score = 1 + floor(5 x percent_rank), capped at 5
    where percent_rank = (rank - 1) / (customers - 1) and rank is the standard competition rank,
    so equal values always share a score (the lowest of their positions): no tie-breaker is
    needed and the result is the same on every engine. `better` says which end scores 5:
    'higher' (frequency, monetary) or 'lower' (recency_days). `partition_by` ranks within each
    value of a column instead (fct_rfm_segment_history scores each snapshot on its own).
-#}
{% macro rfm_score(column, better, partition_by=none) -%}
    {%- set direction = 'asc' if better == 'higher' else 'desc' -%}
    {%- set partition = 'partition by ' ~ partition_by ~ ' ' if partition_by else '' -%}
    least(5, 1 + cast(floor(5 * percent_rank() over ({{ partition }}order by {{ column }} {{ direction }})) as integer))
{%- endmacro %}


{#-
    The snapshots of the RFM history, as rows (months_back, snapshot_date): months_back 0 is the
    as-of date `as_of` (a date expression), and 1 to rfm_history_months - 1 the first days of
    the months before it, latest first: the month starts strictly before the as-of date (with
    the default as-of date, the day after the latest order, each is the RFM as the month before
    it closed). A month start is a snapshot whatever day the as-of date falls on, so a daily
    build moves only the as-of snapshot.
-#}
{% macro rfm_history_snapshots(as_of) -%}
    select
        months_back.generated_number - 1 as months_back,
        case
            when months_back.generated_number = 1 then as_of.rfm_as_of_date
            else cast({{ dbt.dateadd(
                'month', '2 - months_back.generated_number', rfm_history_latest_month_start('as_of.rfm_as_of_date')
            ) }} as date)
        end as snapshot_date
    from (select {{ as_of }} as rfm_as_of_date) as as_of
    cross join ({{ dbt.generate_series(var('rfm_history_months')) }}) as months_back
{%- endmacro %}


{#-
    The latest month start strictly before the as-of date `as_of` (a date expression): the RFM
    history's snapshot 1 month back, and the day after which an order counts only in the as-of
    snapshot.
-#}
{% macro rfm_history_latest_month_start(as_of) -%}
    cast({{ dbt.date_trunc('month', dbt.dateadd('day', -1, as_of)) }} as date)
{%- endmacro %}
