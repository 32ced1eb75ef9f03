-- grain: one row per data row of the optional customers file(s) behind raw_customers_path
--
-- Every row as read, with the reasons it is refused, if any: stg_sales__customers keeps the
-- clean rows, stg_sales__quarantined_customers the others (with their file and raw values), so
-- no row is lost and no bad value becomes a silent NULL. A line that does not split into the
-- header's fields (one short or long, a stray quote) is malformed_line, with its text and
-- number (raw_record_rows). With raw_decimal_separator auto, an
-- income that reads as another number with a decimal comma (52.000, 52,000, 41,5) is refused as
-- ambiguous_income, never guessed; set the var to read such a file one way. A blank income or
-- gender is allowed (NULL); a blank age is not, since age is a segmentation feature. A gender
-- other than Female, Male or Other (or their usual codes: f, m, w, x, d, ...) is
-- unknown_gender. A file whose refused share is above raw_max_quarantined_share stops the build
-- (post-hook), naming the file. Which file is read is the source's to say (customer_files:
-- raw_customers_path, or the sample's customers file beside the sample); none is no error
-- unless raw_customers_path names one.
--
-- On DuckDB an incremental table: every row carries load_key, the files' fingerprints and the
-- setting they were read with (raw_files_load_key). While the key stays the same, a build reads
-- nothing and keeps the rows; when it changes (a file changed, added or removed, or
-- raw_decimal_separator or raw_encoding set otherwise), the pre-hook deletes every row and the
-- files are read whole again, as the duplicate check spans all of them.
{#- the vars the rows are read with -#}
{%- set read_settings = var('raw_decimal_separator') ~ ' ' ~ var('raw_encoding') %}
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=[
        "{% if is_incremental() %}{{ delete_rows_not_loaded_with(this,"
        ~ " raw_files_load_key(source('raw_sales', 'customer_files'), '" ~ read_settings ~ "')) }}{% endif %}",
    ],
    post_hook=["{{ raise_first_problem(refused_rows_problems(this, 'stg_sales__quarantined_customers'), 'customers file') }}"],
) }}

{%- set load_key = raw_files_load_key(source('raw_sales', 'customer_files'), read_settings) %}
{%- set is_loaded = is_incremental() and rows_loaded_with(this, load_key) %}

with

rows_read as (

    {{ raw_record_rows(
        source('raw_sales', 'customer_files'),
        ['customer_id', 'age', 'gender', 'income', 'country'],
        'customers file',
        'raw_customers_path',
        read=not is_loaded
    ) }}

),

parsed as (

    select
        *,
        {{ parse_raw_id('raw_customer_id') }} as customer_id,
        -- Female, Male or Other, whatever the case, and their usual codes; blank is unknown (NULL)
        case lower({{ parse_raw_code('raw_gender') }})
            when 'female' then 'Female'
            when 'f' then 'Female'
            when 'w' then 'Female'
            when 'woman' then 'Female'
            when 'male' then 'Male'
            when 'm' then 'Male'
            when 'man' then 'Male'
            when 'other' then 'Other'
            when 'x' then 'Other'
            when 'd' then 'Other'
            when 'diverse' then 'Other'
            when 'non-binary' then 'Other'
            when 'nonbinary' then 'Other'
        end as gender,
        {{ parse_raw_code('raw_country') }} as country,
        {{ parse_raw_number('raw_age', "'.'") }} as age_number,
        {%- if var('raw_decimal_separator') == 'auto' %}
            {{ parse_raw_number('raw_income', "'.'") }} as income_number,
            -- read with a decimal comma too: 52.000 is 52 one way and 52000 the other
            {{ parse_raw_number('raw_income', "','") }} as income_number_with_comma
        {%- else %}
        {{ parse_raw_number('raw_income', sql_string(var('raw_decimal_separator'))) }} as income_number,
        {{ parse_raw_number('raw_income', sql_string(var('raw_decimal_separator'))) }} as income_number_with_comma
        {%- endif %}
    from rows_read

),

-- An id on more than one row: which row is right cannot be known, so every one is refused.
checked as (

    select
        *,
        customer_id is not null and count(*) over (partition by customer_id) > 1 as is_repeated_customer,
        {{ clean_text('raw_age') }} as age_text,
        {{ clean_text('raw_income') }} as income_text
    from parsed

),

reasons as (

    select
        *,
        -- a line the reader could not split into the header's fields is that alone
        case when malformed_line is not null then 'malformed_line' else nullif(concat_ws(
            ',',
            case when customer_id is null then 'missing_customer_id' end,
            case when {{ is_scientific_notation_id(['raw_customer_id']) }} then 'scientific_notation_id' end,
            case when is_repeated_customer then 'duplicate_customer_id' end,
            case when age_text is null then 'missing_age' end,
            case
                when
                    age_text is not null and (age_number is null or age_number <> floor(age_number))
                    then 'non_numeric_age'
            end,
            case when age_number < 0 or age_number > 120 then 'age_out_of_range' end,
            case when income_text is not null and income_number is null and income_number_with_comma is null
                    then 'non_numeric_income'
            end,
            case when income_number <> income_number_with_comma
                    or (income_number is null and income_number_with_comma is not null)
                    then 'ambiguous_income'
            end,
            case when income_number < 0 then 'negative_income' end,
            case when gender is null and {{ parse_raw_code('raw_gender') }} is not null then 'unknown_gender' end
        ), '') end as quarantine_reasons
    from checked

),

final as (

    select
        source_file,
        customer_id,
        gender,
        country,
        case when quarantine_reasons is null then cast(age_number as integer) end as age,
        case when quarantine_reasons is null then cast(income_number as decimal(18, 2)) end as income,
        quarantine_reasons,
        raw_customer_id,
        raw_age,
        raw_gender,
        raw_income,
        raw_country,
        malformed_line_number,
        malformed_line,
        cast({{ sql_string(load_key) if load_key is not none else 'null' }} as {{ dbt.type_string() }}) as load_key
    from reasons

)

select * from final
