-- grain: one row per data row of the optional experiments file(s) behind raw_experiments_path
--
-- Every assignment as read, with the reasons it is refused, if any:
-- stg_sales__experiment_assignments keeps the clean rows, stg_sales__quarantined_experiment_assignments
-- the others (with their file and raw values; a line that does not split into the header's
-- fields is malformed_line, with its text and number). assigned_at is a date or a timestamp (ISO,
-- d.m.y, or slash dates); a slash date is read in raw_date_order, and with auto only when both
-- orders agree or only one is a date (25/10/2020): 03/10/2020 is ambiguous_assigned_at, never
-- guessed. The variant is lowercased (Control and control are one variant). A customer
-- assigned to one experiment on several rows that disagree is refused on every row
-- (conflicting_assignment); a repeat of a row (the same values, however written) is refused as
-- duplicate_assignment and one kept: the first file's, and within a file the one whose raw text
-- sorts first, so every build quarantines the same text. A file whose refused share is above
-- raw_max_quarantined_share stops the build (post-hook), naming the file. Which file is read is
-- the source's to say (experiment_files).
{{ config(
    materialized='table',
    post_hook=[
        "{{ raise_first_problem(refused_rows_problems(this, 'stg_sales__quarantined_experiment_assignments'), 'experiments file') }}"
    ],
) }}

with

rows_read as (

    {{ raw_record_rows(
        source('raw_sales', 'experiment_files'),
        ['customer_id', 'experiment_id', 'variant', 'assigned_at'],
        'experiments file',
        'raw_experiments_path',
    ) }}

),

parsed as (

    select
        *,
        {{ parse_raw_id('raw_customer_id') }} as customer_id,
        {{ parse_raw_code('raw_experiment_id') }} as experiment_id,
        lower({{ parse_raw_code('raw_variant') }}) as variant,
        {%- if var('raw_date_order') == 'auto' %}
            {{ parse_raw_timestamp('raw_assigned_at', "'dmy'") }} as assigned_at_day_first,
            {{ parse_raw_timestamp('raw_assigned_at', "'mdy'") }} as assigned_at_month_first
        {%- else %}
        {{ parse_raw_timestamp('raw_assigned_at', sql_string(var('raw_date_order'))) }} as assigned_at_day_first,
        {{ parse_raw_timestamp('raw_assigned_at', sql_string(var('raw_date_order'))) }} as assigned_at_month_first
        {%- endif %}
    from rows_read

),

checked as (

    select
        *,
        coalesce(assigned_at_day_first, assigned_at_month_first) as assigned_at,
        count(*) over (partition by customer_id, experiment_id) as rows_of_assignment,
        count(*) over (
            partition by customer_id, experiment_id, variant, coalesce(assigned_at_day_first, assigned_at_month_first)
        ) as identical_rows,
        row_number() over (
            partition by customer_id, experiment_id, variant, coalesce(assigned_at_day_first, assigned_at_month_first)
            order by source_file, raw_customer_id, raw_experiment_id, raw_variant, raw_assigned_at
        ) as identical_row_number
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
            case when experiment_id is null then 'missing_experiment_id' end,
            case when variant is null then 'missing_variant' end,
            case when {{ clean_text('raw_assigned_at') }} is null then 'missing_assigned_at' end,
            case
                when {{ clean_text('raw_assigned_at') }} is not null
                    and assigned_at_day_first is null and assigned_at_month_first is null
                    then 'unparseable_assigned_at'
            end,
            case when assigned_at_day_first <> assigned_at_month_first then 'ambiguous_assigned_at' end,
            case
                when cast(assigned_at as date) < cast('{{ var("raw_min_order_date") }}' as date)
                    or cast(assigned_at as date) > current_date
                    then 'implausible_date'
            end,
            case
                when customer_id is not null and experiment_id is not null
                    and rows_of_assignment > identical_rows
                    then 'conflicting_assignment'
            end,
            case
                when customer_id is not null and experiment_id is not null
                    and rows_of_assignment = identical_rows and identical_row_number > 1
                    then 'duplicate_assignment'
            end
        ), '') end as quarantine_reasons
    from checked

),

final as (

    select
        source_file,
        customer_id,
        experiment_id,
        variant,
        case when quarantine_reasons is null then assigned_at end as assigned_at,
        quarantine_reasons,
        raw_customer_id,
        raw_experiment_id,
        raw_variant,
        raw_assigned_at,
        malformed_line_number,
        malformed_line
    from reasons

)

select * from final
