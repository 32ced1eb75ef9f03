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

with

rate_lines as (

    {# its rates have a decimal point, whatever raw_decimal_separator #}
    {{ raw_record_rows(
        files_source,
        ['currency_code', 'rate_date', 'rate_to_reporting'],
        'fx rates file',
        'raw_fx_rates_path',
        decimal_separator='.',
    ) }}

),

parsed as (

    select
        source_file,
        upper(trim(raw_currency_code)) as currency_code,
        try_cast(trim(raw_rate_date) as date) as rate_date,
        try_cast(trim(raw_rate_to_reporting) as decimal(18, 8)) as rate_to_reporting,
        coalesce(
            malformed_line,
            concat_ws(
                ', ', coalesce(raw_currency_code, ''), coalesce(raw_rate_date, ''), coalesce(raw_rate_to_reporting, '')
            )
        ) as raw_line,
        malformed_line_number
    from rate_lines

),

final as (

    select
        currency_code,
        rate_date,
        rate_to_reporting,
        source_file,
        case
            when not {{ regexp_matches_whole("coalesce(currency_code, '')", '[A-Z]{3}') }}
                or rate_date is null
                or coalesce(rate_to_reporting, 0) <= 0
                then 'has a line that is not a currency code, a yyyy-mm-dd date and a rate above 0'
                    || coalesce(' (line ' || cast(malformed_line_number as {{ dbt.type_string() }}) || ')', '')
                    || ': '''
                    || raw_line
                    || ''''
            when count(*) over (partition by currency_code, rate_date) > 1
                then 'gives ' || currency_code || ' two rates on ' || cast(rate_date as {{ dbt.type_string() }})
        end as problem
    from parsed

)

select * from final
