{#-
    Every var of the project checked when dbt parses it, before any model runs: a wrong value
    stops the build with one line naming the var, the value given and what is allowed.
    base_sales__raw_lines calls this at its top, so it runs whenever the project is parsed.
-#}
{% macro validate_project_vars() %}
    {%- set features = var('segmentation_known_features') | list -%}
    {%- set feature_sets = var('segmentation_feature_sets').keys() | list -%}
    {%- set problems = [] -%}

    {%- set choices = {
        'raw_sales_format': var('raw_layouts').keys() | list,
        'raw_encoding': ['utf-8', 'latin-1', 'cp1252', 'utf-16'],
        'raw_delimiter': ['auto', ',', ';', 'tab', '|'],
        'raw_date_order': ['auto', 'dmy', 'mdy'],
        'raw_decimal_separator': ['auto', '.', ','],
        'segmentation_scaler': ['standard', 'robust'],
        'segmentation_algorithm': ['kmeans', 'agglomerative'],
    } -%}
    {%- for name, allowed in choices.items() -%}
        {%- set value = var(name) -%}
        {%- if value not in allowed and not (name == 'raw_delimiter' and value == '\t') -%}
            {%- do problems.append(var_problem(name, value, "one of " ~ allowed | join(' | '))) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in ['raw_sales_path'] -%}
        {%- if var(name) is not string or var(name) | trim == '' -%}
            {%- do problems.append(var_problem(name, var(name), "a file path or a glob")) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ['raw_customers_path', 'raw_fx_rates_path', 'raw_experiments_path', 'export_parquet_dir'] -%}
        {%- if var(name) is not none and (var(name) is not string or var(name) | trim == '') -%}
            {%- do problems.append(var_problem(name, var(name), "a path, or unset")) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name, optional in [('raw_min_order_date', false), ('rfm_as_of_date', true)] -%}
        {%- set value = var(name) -%}
        {%- if not (optional and value is none) and not is_iso_date(value) -%}
            {%- do problems.append(var_problem(name, value, "a date as yyyy-mm-dd" ~ (", or unset" if optional else ""))) -%}
        {%- endif -%}
    {%- endfor -%}

    {#- Spark reads text as UTF-8 only (csv_file_lines) -#}
    {%- if target.type == 'spark' and var('raw_encoding') != 'utf-8' -%}
        {%- do problems.append(var_problem('raw_encoding', var('raw_encoding'),
            "utf-8 on Spark (its text reader decodes UTF-8 only; build other encodings on DuckDB)")) -%}
    {%- endif -%}
    {%- if target.type == 'spark' and var('export_parquet_dir') is not none -%}
        {%- do problems.append(var_problem('export_parquet_dir', var('export_parquet_dir'),
            "unset on Spark (its marts already are Parquet tables in spark.sql.warehouse.dir)")) -%}
    {%- endif -%}

    {%- if not modules.re.fullmatch('[A-Z]{3}', var('reporting_currency') | string) -%}
        {%- do problems.append(var_problem('reporting_currency', var('reporting_currency'), "an ISO 4217 code in capitals, like USD or EUR")) -%}
    {%- endif -%}

    {%- set whole_numbers = {
        'raw_max_lead_days': 0, 'raw_recount_max_mb': 0, 'segmentation_k_min': 2, 'segmentation_k_max': 2,
        'segmentation_random_state': 0, 'segmentation_n_init': 1, 'segmentation_fit_sample_size': 10,
        'segmentation_silhouette_sample_size': 10, 'churn_horizon_days': 1, 'rfm_history_months': 1,
        'experiment_window_days': 1, 'clv_fit_sample_size': 100, 'clv_random_state': 0,
        'churn_training_sample_size': 100, 'churn_random_state': 0,
    } -%}
    {%- for name, minimum in whole_numbers.items() -%}
        {%- if not is_whole_number(var(name), minimum) -%}
            {%- do problems.append(var_problem(name, var(name), "a whole number of at least " ~ minimum)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if is_whole_number(var('segmentation_k_min'), 2) and is_whole_number(var('segmentation_k_max'), 2)
          and var('segmentation_k_min') | int > var('segmentation_k_max') | int -%}
        {%- do problems.append(var_problem('segmentation_k_min', var('segmentation_k_min'), "at most segmentation_k_max (" ~ var('segmentation_k_max') ~ ")")) -%}
    {%- endif -%}
    {%- if var('segmentation_k') != 'auto' and not is_whole_number(var('segmentation_k'), 1) -%}
        {%- do problems.append(var_problem('segmentation_k', var('segmentation_k'), "auto, or a whole number of at least 1")) -%}
    {%- endif -%}

    {%- set share = var('raw_max_quarantined_share') -%}
    {%- if not is_number_between(share, 0, 1) -%}
        {%- do problems.append(var_problem('raw_max_quarantined_share', share, "a number from 0 to 1, like 0.2")) -%}
    {%- endif -%}
    {%- if not is_number_between(var('clv_annual_discount_rate'), 0, 1) -%}
        {%- do problems.append(var_problem('clv_annual_discount_rate', var('clv_annual_discount_rate'), "a number from 0 to 1, like 0.1 for 10% a year")) -%}
    {%- endif -%}
    {%- set cap = var('segmentation_cap_quantile') -%}
    {%- if cap is not none and not (is_number_between(cap, 0.5, 1) and cap | float not in [0.5, 1.0]) -%}
        {%- do problems.append(var_problem('segmentation_cap_quantile', cap, "a number between 0.5 and 1 (like 0.99), or unset")) -%}
    {%- endif -%}

    {%- set chosen_features = var('segmentation_features') | string -%}
    {%- if chosen_features not in feature_sets and not is_feature_list(chosen_features, features) -%}
        {%- do problems.append(var_problem('segmentation_features', chosen_features,
            feature_sets | join(' | ') ~ ", or a comma list of " ~ features | join(', '))) -%}
    {%- endif -%}
    {%- set log_features = var('segmentation_log_features') | string -%}
    {%- if log_features not in ['auto', 'none'] and not is_feature_list(log_features, features) -%}
        {%- do problems.append(var_problem('segmentation_log_features', log_features, "auto | none, or a comma list of " ~ features | join(', '))) -%}
    {%- endif -%}

    {%- if problems -%}
        {{ exceptions.raise_compiler_error(problems | join('\n')) }}
    {%- endif -%}
{% endmacro %}


{% macro var_problem(name, value, allowed) -%}
    {{ return("var " ~ name ~ " is '" ~ value ~ "': it must be " ~ allowed ~ ".") }}
{%- endmacro %}


{% macro is_iso_date(value) -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value | string) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set parts = (value | string).split('-') -%}
    {%- set year, month, day = parts[0] | int, parts[1] | int, parts[2] | int -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{ return(year >= 1 and 1 <= month <= 12 and 1 <= day <= month_days[month - 1]) }}
{%- endmacro %}


{% macro is_whole_number(value, minimum) -%}
    {{ return(modules.re.fullmatch('[0-9]+', value | string) is not none and value | int >= minimum) }}
{%- endmacro %}


{% macro is_number_between(value, low, high) -%}
    {%- if not modules.re.fullmatch('[0-9]*[.]?[0-9]+', value | string) -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(low <= value | float <= high) }}
{%- endmacro %}


{% macro is_feature_list(value, features) -%}
    {%- set names = [] -%}
    {%- for name in value.split(',') -%}
        {%- do names.append(name | trim) -%}
    {%- endfor -%}
    {{ return(names | length > 0 and names | reject('in', features) | list | length == 0) }}
{%- endmacro %}
