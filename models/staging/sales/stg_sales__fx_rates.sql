-- grain: one row per line of the exchange-rate file (raw_fx_rates_path)
--
-- Rates to the reporting currency: an amount in currency_code times rate_to_reporting is the
-- amount in reporting_currency. A rate applies from its rate_date until the currency's next
-- rate. Empty when raw_fx_rates_path is unset. The file's dates and rates are read as the sales
-- files' are (parse_raw_timestamp, parse_raw_number, with 8 decimals), so Excel in any locale
-- may have saved it (01.06.2018;1,1685): a slash date in raw_date_order, or with auto in the
-- order its dates tell (a date that reads one way only: 13/06/2018), and a rate with the
-- decimal separator its rates tell (1,1685 reads only with a comma, 1.1685 only with a point).
-- A line that is not a currency code, a date and a positive number, a date or rate that reads
-- two ways in a file that does not tell which (01/06/2018, 1,168), or a second rate for the same
-- currency and day, stops the build (post-hook), naming the file and the line: a rate is never
-- guessed.
{{ config(
    materialized='table',
    post_hook=["{{ raise_first_problem('select source_file, problem from ' ~ this, 'fx rates file') }}"],
) }}

{%- set files_source = source('raw_sales', 'fx_rate_files') %}
{%- set date_orders = ['dmy', 'mdy'] if var('raw_date_order') == 'auto' else [var('raw_date_order')] * 2 %}

with

rate_lines as (

    {# a workbook's typed rates are written to read one way (auto: 1.125 as 1.1250) #}
    {{ raw_record_rows(
        files_source,
        ['currency_code', 'rate_date', 'rate_to_reporting'],
        'fx rates file',
        'raw_fx_rates_path',
        decimal_separator='auto',
    ) }}

),

-- each date read in both orders (or twice in raw_date_order), each rate with both separators
readings as (

    select
        source_file,
        upper({{ parse_raw_code('raw_currency_code') }}) as currency_code,
        cast({{ parse_raw_timestamp('raw_rate_date', sql_string(date_orders[0])) }} as date) as date_day_first,
        cast({{ parse_raw_timestamp('raw_rate_date', sql_string(date_orders[1])) }} as date) as date_month_first,
        {{ parse_raw_number('raw_rate_to_reporting', "'.'", decimals=8) }} as rate_with_point,
        {{ parse_raw_number('raw_rate_to_reporting', "','", decimals=8) }} as rate_with_comma,
        coalesce(
            malformed_line,
            concat_ws(
                ', ', coalesce(raw_currency_code, ''), coalesce(raw_rate_date, ''), coalesce(raw_rate_to_reporting, '')
            )
        ) as raw_line,
        malformed_line_number
    from rate_lines

),

-- what the file's values tell: a date that is a date in one order only, a rate that is a
-- number with one separator only
file_conventions as (

    select
        *,
        count(case when date_month_first is null and date_day_first is not null then 1 end) over by_file > 0
            as file_has_day_first,
        count(case when date_day_first is null and date_month_first is not null then 1 end) over by_file > 0
            as file_has_month_first,
        count(case when rate_with_comma is null and rate_with_point is not null then 1 end) over by_file > 0
            as file_has_point,
        count(case when rate_with_point is null and rate_with_comma is not null then 1 end) over by_file > 0
            as file_has_comma
    from readings
    window by_file as (partition by source_file)

),

parsed as (

    select
        source_file,
        currency_code,
        case
            when date_month_first is null or date_day_first = date_month_first then date_day_first
            when date_day_first is null then date_month_first
            when file_has_day_first and not file_has_month_first then date_day_first
            when file_has_month_first and not file_has_day_first then date_month_first
        end as rate_date,
        case
            when rate_with_comma is null or rate_with_point = rate_with_comma then rate_with_point
            when rate_with_point is null then rate_with_comma
            when file_has_point and not file_has_comma then rate_with_point
            when file_has_comma and not file_has_point then rate_with_comma
        end as rate_to_reporting,
        date_day_first is not null and date_month_first is not null and date_day_first <> date_month_first
            as is_date_two_ways,
        rate_with_point is not null and rate_with_comma is not null and rate_with_point <> rate_with_comma
            as is_rate_two_ways,
        raw_line,
        malformed_line_number
    from file_conventions

),

final as (

    select
        currency_code,
        rate_date,
        rate_to_reporting,
        source_file,
        case
            when rate_date is null and is_date_two_ways
                then 'has a date that reads as two days, and no date in the file reads one way only (13/06/2018):'
                    || ' set raw_date_order, or write the dates as yyyy-mm-dd: '''
                    || raw_line
                    || ''''
            when rate_to_reporting is null and is_rate_two_ways
                then 'has a rate that reads as two numbers (1,168: 1.168 or 1168), and no rate in the file reads'
                    || ' one way only: write the rates with more or fewer than three decimals (1,1680): '''
                    || raw_line
                    || ''''
            when not {{ regexp_matches_whole("coalesce(currency_code, '')", '[A-Z]{3}') }}
                or rate_date is null
                or coalesce(rate_to_reporting, 0) <= 0
                then 'has a line that is not a currency code, a date and a rate above 0'
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
