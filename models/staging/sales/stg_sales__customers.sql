-- grain: one row per customer in the optional customers file
--
-- Demographics from raw_customers_path (see dbt_project.yml). With no customers file this
-- model is empty, with the same columns, and the marts leave demographics NULL.
{{ config(materialized='table') }}

{%- set files = raw_customers_files() %}

with

customers as (

    {%- for file in files %}
    select
        {{ parse_raw_id('customer_id') }} as customer_id,
        {{ clean_text('gender') }} as gender,
        {{ clean_text('country') }} as country,
        cast({{ parse_raw_number('age') }} as integer) as age,
        cast({{ parse_raw_money('income') }} as decimal(18, 2)) as income
    from {{ raw_file_reader(file) }}
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as gender,
        cast(null as {{ dbt.type_string() }}) as country,
        cast(null as integer) as age,
        cast(null as decimal(18, 2)) as income
    where 1 = 0
    {%- endfor %}

)

select * from customers
