-- grain: one row per line of the exchange-rate file (raw_fx_rates_path)
--
-- Rates to the reporting currency: an amount in currency_code times rate_to_reporting is the
-- amount in reporting_currency. A rate applies from its rate_date until the currency's next
-- rate. Empty when raw_fx_rates_path is unset. A line that is not a currency code, an ISO date
-- and a positive number, or a second rate for the same currency and day, stops the build
-- (post-hook), naming the file and the line.
{{ config(
    materialized='table',
    post_hook=["{{ raise_first_problem('select source_file, problem from ' ~ this, 'fx rates file') }}"],
) }}

{%- set files_source = source('raw_sales', 'fx_rate_files') %}
{%- set files = raw_input_file_list(files_source) %}

with

rate_lines as (

    {%- if files %}
    select
        filename as source_file,
        currency_code,
        rate_date,
        rate_to_reporting
    from read_csv(
        {{ sql_list(files | map(attribute='path') | list) }},
        header = true,
        all_varchar = true,
        filename = true
    )
    {%- else %}
        select
            cast(null as varchar) as source_file,
            cast(null as varchar) as currency_code,
            cast(null as varchar) as rate_date,
            cast(null as varchar) as rate_to_reporting
        where false
    {%- endif %}

),

parsed as (

    select
        source_file,
        upper(trim(currency_code)) as currency_code,
        try_cast(trim(rate_date) as date) as rate_date,
        try_cast(trim(rate_to_reporting) as decimal(18, 8)) as rate_to_reporting,
        currency_code || ', ' || rate_date || ', ' || rate_to_reporting as raw_line
    from rate_lines

),

final as (

    select
        currency_code,
        rate_date,
        rate_to_reporting,
        source_file,
        case
            when not regexp_full_match(coalesce(currency_code, ''), '[A-Z]{3}')
                or rate_date is null
                or coalesce(rate_to_reporting, 0) <= 0
                then 'has a line that is not a currency code, a yyyy-mm-dd date and a rate above 0: '''
                    || raw_line
                    || ''''
            when count(*) over (partition by currency_code, rate_date) > 1
                then 'gives ' || currency_code || ' two rates on ' || cast(rate_date as varchar)
        end as problem
    from parsed

)

select * from final
