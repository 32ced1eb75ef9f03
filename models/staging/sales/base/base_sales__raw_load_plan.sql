-- grain: one row per file behind raw_sales_path, and one per file an earlier build loaded that
-- is gone
--
-- What this build does with each raw sales file: loads it (reads, profiles and parses it), keeps
-- what an earlier build loaded from it, or removes its lines. A file is kept when an earlier
-- build loaded all of it (base_sales__raw_files and base_sales__order_lines hold the same load
-- of it) with the same fingerprint, the same place among the files (its lines' order_line_id)
-- and the same parse settings, and nothing since can change how its lines read: no refused line
-- of it is dated after the day it was loaded (a future date, a missing exchange rate), and no
-- line of a file this build loads or removes repeats one of its lines (the post-hook). Every
-- file loads on the first build, with --full-refresh, and on Spark.
{{ config(
    materialized='table',
    post_hook=["{{ raw_sales_load_neighbours(this, (raw_sales_loaded_relations() or {}).get('order_lines')) }}"],
) }}

{#- the post-hook reads the lines of the files to load, cp1252 copies and workbook rows too #}
{%- if python_models_enabled() %}
-- depends_on: {{ ref('base_sales__raw_transcoded_files') }}, {{ ref('base_sales__raw_spreadsheet_rows') }}
{%- endif %}

{%- set loaded = raw_sales_loaded_relations() %}
{%- set first_load_reason = 'new file' if loaded else ('full refresh' if flags.FULL_REFRESH else 'full build') %}

with

{% if python_models_enabled() %}
current_files as (

    select * from {{ ref('base_sales__raw_file_fingerprints') }}

),
{% else %}
current_files as (

    select
        file as source_file,
        cast(null as bigint) as file_size,
        cast(null as bigint) as file_modified_ns,
        cast(null as {{ dbt.type_string() }}) as file_fingerprint
    from {{ source('raw_sales', 'order_line_files') }}

),
{% endif %}

fx_rates as (

    select * from {{ ref('stg_sales__fx_rates') }}

),

load_settings as (

    select
        {{ sql_string(raw_sales_load_settings()) }} || ' fx_rates:' || coalesce(
            cast({{ text_hash(ordered_string_agg(
                "currency_code || '|' || cast(rate_date as " ~ dbt.type_string() ~ ") || '|' || cast(rate_to_reporting as "
                ~ dbt.type_string() ~ ")",
                "','",
                'currency_code, rate_date'
            )) }} as {{ dbt.type_string() }}),
            'none'
        ) as load_settings
    from fx_rates

),

numbered_files as (

    select
        *,
        cast(row_number() over (order by source_file) as bigint) as source_file_index
    from current_files

),

{% if loaded %}
order_line_loads as (

    select
        source_file,
        min(load_id) as load_id,
        min(load_id) = max(load_id) as is_one_load,
        max(order_date) filter (where quarantine_reasons is not null) as latest_refused_order_date
    from {{ loaded.order_lines }}
    group by source_file

),

loaded_files as (

    select
        raw_files.source_file,
        raw_files.source_file_index,
        raw_files.file_fingerprint,
        raw_files.load_settings,
        raw_files.loaded_on,
        order_line_loads.latest_refused_order_date,
        coalesce(order_line_loads.is_one_load and order_line_loads.load_id = raw_files.load_id, false) as is_complete
    from {{ loaded.raw_files }} as raw_files
    left join order_line_loads on raw_files.source_file = order_line_loads.source_file

),

-- files with lines in base_sales__order_lines: a file among them that is gone is removed
loaded_sources as (

    select source_file from order_line_loads
    union
    select source_file from loaded_files

),
{% else %}
loaded_files as (

    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as bigint) as source_file_index,
        cast(null as {{ dbt.type_string() }}) as file_fingerprint,
        cast(null as {{ dbt.type_string() }}) as load_settings,
        cast(null as date) as loaded_on,
        cast(null as date) as latest_refused_order_date,
        false as is_complete
    where false

),

loaded_sources as (

    select source_file from loaded_files

),
{% endif %}

planned as (

    select
        numbered_files.source_file,
        numbered_files.source_file_index,
        numbered_files.file_size,
        numbered_files.file_modified_ns,
        numbered_files.file_fingerprint,
        load_settings.load_settings,
        case
            when loaded_files.source_file is null then {{ sql_string(first_load_reason) }}
            when not loaded_files.is_complete then 'an earlier build did not finish loading it'
            when coalesce(loaded_files.file_fingerprint, '') <> coalesce(numbered_files.file_fingerprint, '')
                then 'changed file'
            when coalesce(loaded_files.load_settings, '') <> load_settings.load_settings
                then 'settings changed (raw_ vars, reporting_currency or exchange rates)'
            when loaded_files.source_file_index <> numbered_files.source_file_index
                then 'renumbered: a file before it was added or removed'
            when loaded_files.latest_refused_order_date > loaded_files.loaded_on
                and current_date > loaded_files.loaded_on
                then 'has refused lines dated after the day it was loaded'
        end as load_reason
    from numbered_files
    cross join load_settings
    left join loaded_files on numbered_files.source_file = loaded_files.source_file

),

final as (

    select
        source_file,
        source_file_index,
        file_size,
        file_modified_ns,
        file_fingerprint,
        load_settings,
        case when load_reason is null then 'keep' else 'load' end as load_action,
        coalesce(load_reason, 'loaded before, unchanged') as load_reason
    from planned

    union all

    select
        loaded_sources.source_file,
        cast(null as bigint) as source_file_index,
        cast(null as bigint) as file_size,
        cast(null as bigint) as file_modified_ns,
        cast(null as {{ dbt.type_string() }}) as file_fingerprint,
        cast(null as {{ dbt.type_string() }}) as load_settings,
        'remove' as load_action,
        'no longer behind raw_sales_path' as load_reason
    from loaded_sources
    anti join current_files on loaded_sources.source_file = current_files.source_file

)

select * from final
