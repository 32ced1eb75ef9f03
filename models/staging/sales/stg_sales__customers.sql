-- grain: one row per customer in the optional customers file
--
-- Demographics from raw_customers_path (see dbt_project.yml). With no customers file this
-- model is empty, with the same columns, and the marts leave demographics NULL.
{{ config(materialized='table') }}

{%- set files_source = source('raw_sales', 'customer_files') %}
{%- set files = raw_input_file_list(files_source, 'raw_customers_path') if var('raw_customers_path') or var('raw_sales_path') == 'data/sample/sales_data.csv' else [] %}

with

customers as (

    {%- for file in files %}
    select
        {{ parse_raw_id('customer_id') }} as customer_id,
        {{ clean_text('gender') }} as gender,
        {{ clean_text('country') }} as country,
        cast({{ parse_raw_number('age', "'.'") }} as integer) as age,
        cast({{ parse_raw_number('income', "'.'") }} as decimal(18, 2)) as income
    from read_csv({{ sql_string(file.path) }}, header = true, all_varchar = true)
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
