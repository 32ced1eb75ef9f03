{#-
    Parsing raw text into typed values. Each returns NULL for text it cannot read with
    certainty, so the caller quarantines the line with a reason; nothing is guessed. Where a
    value's meaning depends on its file (the decimal separator, the order of day and month),
    the file's convention is an argument: a column of base_sales__raw_files, decided per file.
    Dialect-specific bodies are dispatched (duckdb__ and spark__); the rest is written with the
    dialect macros of macros/utils/dialect.sql.
-#}

{#- Text with surrounding blanks removed; empty text is NULL. -#}
{% macro clean_text(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}


{#-
    Excel's text formula ="0007": exports write a code or an id so to keep its leading zeros (and
    some wrap every field so). is_text_formula tests whether a raw value is one, only where it
    holds a quote; text_formula_value is its text between the quotes.
-#}
{% macro is_text_formula(expr) -%}
    (contains({{ expr }}, '"') and {{ regexp_matches_whole('trim(' ~ expr ~ ')', '="[^"]*"') }})
{%- endmacro %}

{% macro text_formula_value(expr) -%}
    substr(trim({{ expr }}), 3, length(trim({{ expr }})) - 3)
{%- endmacro %}


{#-
    A code as exported (an order number, a stock code, a warehouse or currency code): clean_text,
    after taking off any Excel text formula, so ="C489449" is the cancellation C489449.
-#}
{% macro parse_raw_code(expr) -%}
    {#- one clean_text around the case: half the cost of one per branch over millions of codes -#}
    {{ clean_text('case when ' ~ is_text_formula(expr) ~ ' then ' ~ text_formula_value(expr) ~ ' else ' ~ expr ~ ' end') }}
{%- endmacro %}


{#-
    An identifier as exported: blanks are NULL, and a float-formatted id loses its zero decimals
    (13085.0 with a decimal point, 13085,0 with a decimal comma). An id that reads as a number with
    thousands grouped (12.000, 1,000) could be that number or one with three zero decimals: it is
    kept as written, never merged with 12 or 1. Excel's text formula ="0007", which exports write
    to keep an id's leading zeros, is the id 0007.
-#}
{% macro parse_raw_id(expr) -%}
    {{ return(adapter.dispatch('parse_raw_id')(expr)) }}
{%- endmacro %}

{% macro default__parse_raw_id(expr) -%}
    {#- the regexes only where there is a dot or a comma: a third cheaper over millions of plain ids -#}
    case
        when {{ is_text_formula(expr) }} then {{ id_as_exported(text_formula_value(expr)) }}
        else {{ id_as_exported(expr) }}
    end
{%- endmacro %}

{#- parse_raw_id's reading of an id's text (no formula) -#}
{% macro id_as_exported(expr) -%}
    case
        when not (contains({{ expr }}, '.') or contains({{ expr }}, ',')) then nullif(trim({{ expr }}), '')
        when {{ regexp_matches_whole('trim(' ~ expr ~ ')', '[0-9]{1,3}(?:[.,][0-9]{3})+') }} then trim({{ expr }})
        else nullif(regexp_replace(trim({{ expr }}), '[.,]0+$', ''), '')
    end
{%- endmacro %}


{#-
    Is any of the raw id columns a number in scientific notation (1.23457E+11, 1,23457E+11)?
    Excel shows long numeric ids so, and writes them so to CSV: their last digits are lost, and
    two customers can come out as one. Only text with a plus sign is matched against the shape.
-#}
{% macro is_scientific_notation_id(raw_columns) -%}
    (
        {%- for column in raw_columns %}
        (contains({{ column }}, '+') and {{ regexp_matches_whole('trim(' ~ column ~ ')', '[0-9]+(?:[.,][0-9]+)?[Ee][+][0-9]+') }})
        {{- " or" if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{#-
    The currency signs a money field may carry, each with the ISO codes of the currencies it can
    name: $ the dollar and peso currencies, € the euro, £ the pound. number_pattern accepts these
    signs, parse_raw_number removes them, and is_currency_sign_mismatch refuses a sign whose
    currencies do not hold the line's, so a sign added here is read and checked everywhere. A sign
    goes inside a regular expression's character class: not ], ^, - or a backslash.
-#}
{% macro currency_signs() -%}
    {{ return({
        '$': [
            'USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD', 'TWD', 'MXN', 'ARS', 'CLP', 'COP', 'UYU', 'DOP', 'CUP',
            'BSD', 'BBD', 'BZD', 'BMD', 'BND', 'KYD', 'FJD', 'GYD', 'JMD', 'LRD', 'NAD', 'SBD', 'SRD', 'TTD', 'XCD',
        ],
        '€': ['EUR'],
        '£': ['GBP'],
    }) }}
{%- endmacro %}


{#-
    How a number is written under each decimal separator, as a regular expression: an optional
    minus and currency sign ($, €, £) before, digits with thousands separators only in groups of
    three, at most one decimal separator, an optional currency sign after (and, for a discount,
    a percent sign). '.': 1,001.18 or 1001.18, or with Swiss Excel's apostrophe (1'001.18, or
    U+2019 1’001.18); ',': 1.001,18, 1 001,18 or 1001,18, where the
    blank between groups, and before a sign or a percent, may also be the no-break space or the
    narrow no-break space French and other locales write (U+00A0, U+202F: 1 234,50 €, 7,5 %).
    Anything else ((5.00), 1e3, NaN, 1.001,18 in a dot file) is not a number of that file.
-#}
{% macro number_pattern(decimal_separator, allow_percent=false) -%}
    {%- set sign = "[" ~ currency_signs().keys() | join ~ "]" -%}
    {%- if decimal_separator == '.' -%}
        {%- set before = " *(?:-" ~ sign ~ "? ?|" ~ sign ~ " ?-?)?" -%}
        {%- set after = "(?: ?" ~ sign ~ ")?" ~ ("%?" if allow_percent else "") ~ " *" -%}
        {%- set digits = "(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:['’][0-9]{3})+|[0-9]+)(?:[.][0-9]+)?" -%}
    {%- else -%}
        {#- a space, a no-break space or a narrow no-break space -#}
        {%- set blank = "[   ]" -%}
        {%- set before = " *(?:-" ~ sign ~ "?" ~ blank ~ "?|" ~ sign ~ blank ~ "?-?)?" -%}
        {%- set after = "(?:" ~ blank ~ "?" ~ sign ~ ")?" ~ ("(?:" ~ blank ~ "?%)?" if allow_percent else "") ~ " *" -%}
        {%- set digits = "(?:[0-9]{1,3}(?:[.][0-9]{3})+|[0-9]{1,3}(?:" ~ blank ~ "[0-9]{3})+|[0-9]+)(?:,[0-9]+)?" -%}
    {%- endif -%}
    {{ before ~ digits ~ after }}
{%- endmacro %}


{#-
    A number written under the file's decimal separator (`decimal_separator`, a SQL expression
    giving '.' or ','), as DECIMAL(18, `decimals`) (4: money and quantities; exchange rates
    need 8); NULL when the text is not written that way, or the number does not fit. With
    allow_percent, 5% is 0.05.
-#}
{% macro parse_raw_number(expr, decimal_separator, allow_percent=false, decimals=4) -%}
    {{ return(adapter.dispatch('parse_raw_number')(expr, decimal_separator, allow_percent, decimals)) }}
{%- endmacro %}

{% macro default__parse_raw_number(expr, decimal_separator, allow_percent=false, decimals=4) -%}
    {%- set number_type = 'decimal(18, ' ~ decimals ~ ')' -%}
    {#- the text without its currency signs and percent sign -#}
    {%- set stripped = namespace(text=expr) -%}
    {%- for sign in currency_signs().keys() | list + ['%'] -%}
        {%- set stripped.text = "replace(" ~ stripped.text ~ ", '" ~ sign ~ "', '')" -%}
    {%- endfor -%}
    {%- set digits_only = stripped.text -%}
    {%- set value -%}
        case {{ decimal_separator }}
            when '.' then case
                when {{ regexp_matches_whole(expr, number_pattern(".", allow_percent)) }}
                    {# a comma, else an apostrophe between the groups: the second cast runs only where the first fails #}
                    then coalesce(
                        try_cast(replace({{ digits_only }}, ',', '') as {{ number_type }}),
                        try_cast(replace(replace({{ digits_only }}, chr(39), ''), '’', '') as {{ number_type }})
                    )
            end
            when ',' then case
                {# the dots, and the three blanks of number_pattern, go; the comma is the decimal point #}
                when {{ regexp_matches_whole(expr, number_pattern(",", allow_percent)) }}
                    then try_cast(
                        replace(
                            replace(replace(replace(replace({{ digits_only }}, '.', ''), ' ', ''), ' ', ''), ' ', ''),
                            ',',
                            '.'
                        )
                        as {{ number_type }}
                    )
            end
        end
    {%- endset -%}
    {%- if allow_percent -%}
        (case when contains({{ expr }}, '%') then cast({{ value }} * 0.01 as {{ number_type }}) else {{ value }} end)
    {%- else -%}
        ({{ value }})
    {%- endif -%}
{%- endmacro %}


{#-
    Is the text written as a number under the file's decimal separator? Tells a number too
    large for its column (number_out_of_range) from text that is no number (non_numeric_*).
-#}
{% macro looks_numeric(expr, decimal_separator, allow_percent=false) -%}
    case {{ decimal_separator }}
        when '.' then {{ regexp_matches_whole(expr, number_pattern(".", allow_percent)) }}
        when ',' then {{ regexp_matches_whole(expr, number_pattern(",", allow_percent)) }}
    end
{%- endmacro %}


{#-
    A date or timestamp as exports write it: slash or dash dates d/m/y, d-m-y or m/d/y, m-d-y
    (`date_order`, a SQL expression giving 'dmy' or 'mdy', says which; day and month in one or two
    digits; Dutch and Danish exports write d-m-yyyy), dotted dates d.m.y (always day first), ISO
    yyyy-mm-dd (a four-digit year first), or dates with a month name, which read one way only:
    5-Jan-2019 (Oracle's and Excel's d-mmm-yy), 5 Jan 2019, Jan 5, 2019, the name abbreviated
    or in full, in English or as German, French, Spanish, Italian, Dutch or Portuguese Excel
    writes it (15-Mrz-18, 15-févr.-18, 3-mag-2019; month_names). Each with an optional time
    h:mm or h:mm:ss after a blank or a T (ISO 8601's 2020-06-15T10:30:00), or a 12-hour time
    after a blank, 8:26 PM or 8:26PM.
    Databases and web shops add to a 24-hour time a fraction of a second (SQL Server's
    10:30:00.000, JavaScript's .123Z) or a time zone (Z, UTC, GMT, +01:00, +0100 or +01, after a
    blank or not: Postgres' +00, Shopify's -0400). Both are read and dropped: the timestamp is the
    time as written, the local time of the zone the export wrote it in, as pandas' `.dt.date`
    gives for a zoned timestamp, so a file that writes every order in UTC is read in UTC. Years in
    four digits, or two: 00-68 are 2000-2068, 69-99 are 1969-1999 (the POSIX rule). Other years
    before 1000 are not dates. A TIMESTAMP, NULL when the text is not a date in that order.
-#}
{% macro parse_raw_timestamp(expr, date_order) -%}
    {{ return(adapter.dispatch('parse_raw_timestamp')(expr, date_order)) }}
{%- endmacro %}

{% macro duckdb__parse_raw_timestamp(expr, date_order) -%}
    {#-
        try_strptime tries its formats in turn, and each format that does not fit costs about
        ten times a parse that does (docs/performance.md): the value's separators pick the
        formats first. A value fits a format only if it holds the format's separators, so the
        pick reads it as the whole list would:
        - no colon: a date alone; one colon: h:mm; two: h:mm:ss, each after a blank or a T,
          or as a 12-hour time;
        - a slash: d/m/y or m/d/y (date_order); else a dot: d.m.y; else a first dash after
          three characters or more: ISO; else a dash: d-m-y or m-d-y before ISO (so 05-01-19 is
          a dash date in the file's order, not the year 5), then a month name between dashes;
          else a month name between blanks.
        %Y reads one to four digits, so 15/6/18 is the year 18 and 1/6/218 the year 218; the
        year is fixed below.
        A text that reads in none of these and holds a colon, or letters outside a slash date,
        is read once more, with a fraction of a second or a time zone after its last digit
        dropped, or a blank put before an AM or PM that follows its last digit: an ISO date (its
        first dash fifth, or fourth for a three-digit year) in the ISO formats; a date with a
        word of three letters or more in the month-name formats, its first word read as a month
        name in any language month_names knows and put as its English abbreviation; another in
        the numeric formats of the file's order. The regular expressions and the longer lists
        run only on such texts.
    -#}
    {%- set text = 'trim(' ~ expr ~ ')' -%}
    {%- set zone = time_zone_pattern() -%}
    {%- set without_tail = "regexp_replace(" ~ text ~ ", '([0-9])(?:[.,][0-9]{1,9}" ~ zone ~ "?|" ~ zone ~ ")$', '\\1')" -%}
    {%- set normalized -%}
        case
            when suffix(lower({{ text }}), 'm') then regexp_replace({{ text }}, '([0-9]:[0-9]{1,2})([AaPp][Mm])$', '\1 \2')
            else {{ without_tail }}
        end
    {%- endset -%}
    {#- a month name in any language month_names knows, as its English abbreviation (%b) -#}
    {%- set spellings, abbreviations = [], [] -%}
    {%- for names in month_names() -%}
        {%- for name in names %}{% do spellings.append("'" ~ name ~ "'") %}{% do abbreviations.append("'" ~ names[0] ~ "'") %}{% endfor -%}
    {%- endfor -%}
    {%- set abbreviation -%}
        list_extract(
            [{{ abbreviations | join(', ') }}],
            list_position([{{ spellings | join(', ') }}], lower(regexp_extract({{ normalized }}, '{{ month_letters() }}+')))
        )
    {%- endset -%}
    {%- set named = 'regexp_replace(' ~ normalized ~ ", '" ~ month_letters() ~ "+[.]?', " ~ abbreviation ~ ')' -%}
    {#- a text's time fits one of these at most: the likeliest first -#}
    {%- set normalized_times = ['T%H:%M:%S', ' %H:%M:%S', 'T%H:%M', ' %H:%M', ' %I:%M:%S %p', ' %I:%M %p'] -%}
    {%- set times = {
        'none': [''],
        'minutes': [' %H:%M', 'T%H:%M', ' %I:%M %p'],
        'seconds': [' %H:%M:%S', 'T%H:%M:%S', ' %I:%M:%S %p'],
    } -%}
    {#- a constant order ('dmy' or 'mdy', as most callers give it) writes out its own formats
        alone: the text DuckDB parses and plans is half as long -#}
    {%- set orders = [('dmy', '%d/%m'), ('mdy', '%m/%d')] -%}
    {%- set constant_order = date_order | trim in ["'dmy'", "'mdy'"] -%}
    {%- if constant_order -%}
        {%- set orders = orders | selectattr(0, 'equalto', date_order | trim | replace("'", '')) | list -%}
    {%- endif -%}
    {%- set by_order = {} -%}
    {%- for order, day_month in orders -%}
        {%- set shapes = [
            ("contains(" ~ expr ~ ", '/')", [day_month ~ '/%Y']),
            ("contains(" ~ expr ~ ", '.')", ['%d.%m.%Y']),
            ("strpos(" ~ text ~ ", '-') > 3", ['%Y-%m-%d']),
            ("contains(" ~ expr ~ ", '-')", [day_month | replace('/', '-') ~ '-%Y', '%Y-%m-%d', '%d-%b-%Y', '%d-%B-%Y']),
            (none, ['%d %b %Y', '%d %B %Y', '%b %d, %Y', '%B %d, %Y']),
        ] -%}
        {%- set by_time = {} -%}
        {%- for time_kind, time_formats in times.items() -%}
            {%- set branches -%}
                case
                    {%- for test, dates in shapes %}
                    {%- set formats = [] %}
                    {%- for date in dates %}{% for time in time_formats %}{% do formats.append("'" ~ date ~ time ~ "'") %}{% endfor %}{% endfor %}
                    {{ 'when ' ~ test ~ ' then' if test else 'else' }} try_strptime({{ text }}, [{{ formats | join(', ') }}])
                    {%- endfor %}
                end
            {%- endset -%}
            {%- do by_time.update({time_kind: branches}) -%}
        {%- endfor -%}
        {%- set parse -%}
            case
                when not contains({{ expr }}, ':') then {{ by_time.none }}
                when contains(substr({{ expr }}, strpos({{ expr }}, ':') + 1), ':') then {{ by_time.seconds }}
                else {{ by_time.minutes }}
            end
        {%- endset -%}
        {%- set numeric_formats = [] -%}
        {%- for date in shapes[0][1] + shapes[1][1] + shapes[3][1][:2] %}{% for time in normalized_times %}{% do numeric_formats.append("'" ~ date ~ time ~ "'") %}{% endfor %}{% endfor -%}
        {%- do by_order.update({order: parse, order ~ '_numeric': 'try_strptime(' ~ normalized ~ ', [' ~ numeric_formats | join(', ') ~ '])'}) -%}
    {%- endfor -%}
    {%- set iso_formats, named_formats = [], [] -%}
    {%- for time in normalized_times %}{% do iso_formats.append("'%Y-%m-%d" ~ time ~ "'") %}{% endfor -%}
    {%- for date in ['%d-%b-%Y', '%d %b %Y', '%b %d, %Y'] %}{% for time in ['', ' %H:%M:%S', ' %H:%M', ' %I:%M:%S %p', ' %I:%M %p'] %}{% do named_formats.append("'" ~ date ~ time ~ "'") %}{% endfor %}{% endfor -%}
    {%- set second -%}
        case
            when strpos({{ text }}, '-') between 4 and 5 then try_strptime({{ normalized }}, [{{ iso_formats | join(', ') }}])
            when regexp_matches({{ normalized }}, '{{ month_letters() }}{3}') then try_strptime({{ named }}, [{{ named_formats | join(', ') }}])
            {%- for order, _ in orders %}
            {{ 'else' if constant_order else 'when ' ~ date_order ~ " = '" ~ order ~ "' then" }} {{ by_order[order ~ '_numeric'] }}
            {%- endfor %}
        end
    {%- endset -%}
    {#- a time, or letters outside a slash date, which never holds a month name; as for the first
        reading, a date order other than dmy or mdy reads nothing -#}
    {%- set second_reading = "(contains(" ~ expr ~ ", ':') or (not contains(" ~ expr ~ ", '/') and regexp_matches(" ~ expr ~ ", '" ~ month_letters() ~ "')))" -%}
    {%- if not constant_order -%}
        {%- set second_reading = date_order ~ " in ('dmy', 'mdy') and " ~ second_reading -%}
    {%- endif -%}
    {#- DuckDB evaluates `parsed` once, and a CASE's branch only on the rows it selects -#}
    {%- set parsed -%}
        coalesce(
            {%- if constant_order %}
            {{ by_order[orders[0][0]] }},
            {%- else %}
            case {{ date_order }} when 'dmy' then {{ by_order.dmy }} when 'mdy' then {{ by_order.mdy }} end,
            {%- endif %}
            case when {{ second_reading }} then {{ second }} end
        )
    {%- endset -%}
    {#- the year fixed: each mention of `parsed` adds its whole text to the query DuckDB plans,
        and a four-digit year, the usual one, takes no arithmetic -#}
    (case
        when year({{ parsed }}) >= 1000 then {{ parsed }}
        else {{ parsed }} + to_years(case when year({{ parsed }}) < 69 then 2000 when year({{ parsed }}) < 100 then 1900 end)
    end)
{%- endmacro %}


{#-
    Spark has no parse that tries several formats, and its patterns read years differently:
    the shapes are one regular expression, its groups the day, month, year and time, and the
    timestamp is made from them (NULL where they make no date, as 31/2). The alternatives are
    tried in DuckDB's order (a dash date d-m-y before ISO). A month name is its number by
    month_number; a 12-hour time follows a blank and has an hour of 1 to 12; a 24-hour
    time's fraction of a second and time zone are matched and dropped, as on DuckDB.
-#}
{% macro spark__parse_raw_timestamp(expr, date_order) -%}
    {%- set month_name = '(' ~ month_letters() ~ '{3,10})[.]?' -%}
    {#- each date shape with the role of each of its groups: first and second are day and month
        in date_order -#}
    {%- set shapes = [
        ('([0-9]{1,2})/([0-9]{1,2})/([0-9]{1,4})', ['first', 'second', 'year']),
        ('([0-9]{1,2})-([0-9]{1,2})-([0-9]{1,4})', ['first', 'second', 'year']),
        ('([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})', ['year', 'month', 'day']),
        ('([0-9]{1,2})[.]([0-9]{1,2})[.]([0-9]{1,4})', ['day', 'month', 'year']),
        ('([0-9]{1,2})-' ~ month_name ~ '-([0-9]{1,4})', ['day', 'month_name', 'year']),
        ('([0-9]{1,2}) ' ~ month_name ~ ' ([0-9]{1,4})', ['day', 'month_name', 'year']),
        (month_name ~ ' ([0-9]{1,2}), ([0-9]{1,4})', ['month_name', 'day', 'year']),
    ] -%}
    {#- a 12-hour time's AM or PM after a blank or not; a 24-hour time's fraction and zone, dropped -#}
    {%- set zone = time_zone_pattern() -%}
    {%- set time_shape = '(?:([ T])([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2}))?(?: ?([AaPp][Mm])|(?:[.,][0-9]{1,9})?' ~ zone ~ '?)?)?' -%}
    {%- set roles = ['first', 'second', 'day', 'month', 'month_name', 'year', 'separator', 'hour', 'minute', 'second_of_minute', 'half_day'] -%}
    {%- set texts = {} -%}
    {%- for role in roles %}{% do texts.update({role: []}) %}{% endfor -%}
    {%- set shape = '^(?:' ~ shapes | map('first') | join('|') ~ ')' ~ time_shape ~ '$' -%}
    {%- set group_roles = [] -%}
    {%- for _, shape_roles in shapes %}{% do group_roles.extend(shape_roles) %}{% endfor -%}
    {%- do group_roles.extend(['separator', 'hour', 'minute', 'second_of_minute', 'half_day']) -%}
    {%- for role in group_roles -%}
        {%- do texts[role].append('nullif(' ~ regexp_group('trim(' ~ expr ~ ')', shape, loop.index) ~ ", '')") -%}
    {%- endfor -%}
    {%- set number = {} -%}
    {%- for role in roles -%}
        {%- set values = [] -%}
        {%- for text in texts[role] %}{% do values.append('cast(' ~ text ~ ' as int)') %}{% endfor -%}
        {%- do number.update({role: values[0] if values | length == 1 else 'coalesce(' ~ values | join(', ') ~ ')'}) -%}
    {%- endfor -%}
    {%- set month_numbers = [] -%}
    {%- for text in texts.month_name %}{% do month_numbers.append(month_number(text)) %}{% endfor -%}
    {%- set day -%}
        coalesce(case {{ date_order }} when 'dmy' then {{ number.first }} when 'mdy' then {{ number.second }} end, {{ number.day }})
    {%- endset -%}
    {%- set month -%}
        coalesce(
            case {{ date_order }} when 'dmy' then {{ number.second }} when 'mdy' then {{ number.first }} end,
            {{ number.month }}, {{ month_numbers | join(', ') }}
        )
    {%- endset -%}
    {#- DuckDB reads a dash date that is no date in the file's order (19-05-12, month first) as
        ISO, its first part the year: the same from the dash shape's groups -#}
    {%- set dash_as_iso = ['cast(' ~ texts.first[1] ~ ' as int)', 'cast(' ~ texts.second[1] ~ ' as int)', 'cast(' ~ texts.year[1] ~ ' as int)'] -%}
    {%- set half_day = texts.half_day[0] -%}
    {%- set readings = [] -%}
    {%- for year, month_of_year, day_of_month in [(number.year, month, day), dash_as_iso] -%}
        {%- set reading -%}
            make_timestamp(
                case
                    when {{ year }} < 69 then {{ year }} + 2000
                    when {{ year }} < 100 then {{ year }} + 1900
                    when {{ year }} >= 1000 then {{ year }}
                end,
                {{ month_of_year }},
                {{ day_of_month }},
                case
                    when {{ half_day }} is null then coalesce({{ number.hour }}, 0)
                    else {{ number.hour }} % 12 + case when lower({{ half_day }}) = 'pm' then 12 else 0 end
                end,
                coalesce({{ number.minute }}, 0),
                coalesce({{ number.second_of_minute }}, 0)
            )
        {%- endset -%}
        {%- do readings.append(reading) -%}
    {%- endfor -%}
    (case
        when {{ date_order }} in ('dmy', 'mdy')
            and coalesce({{ number.second_of_minute }}, 0) < 60
            and ({{ half_day }} is null or ({{ texts.separator[0] }} = ' ' and {{ number.hour }} between 1 and 12))
        then coalesce({{ readings | join(', ') }})
    end)
{%- endmacro %}


{#- A time zone after a time, as exports write it: Z, UTC, GMT, +01:00, +0100 or +01, after a blank or not (a regular expression). -#}
{% macro time_zone_pattern() -%}
    (?: ?(?:[Zz]|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?))
{%- endmacro %}


{#-
    Month names as exports write them, month by month: English, German, French, Spanish, Italian,
    Dutch and Portuguese, in full and as each language's Excel abbreviates them (mmm), in lower
    case, accented and not, without an abbreviation's dot. No spelling names two months.
-#}
{% macro month_names() -%}
    {%- set names = [
        ['jan', 'january', 'januar', 'janvier', 'janv', 'enero', 'ene', 'gennaio', 'gen', 'januari', 'janeiro'],
        ['feb', 'february', 'februar', 'février', 'fevrier', 'févr', 'fevr', 'febrero', 'febbraio', 'februari', 'fevereiro', 'fev'],
        ['mar', 'march', 'märz', 'marz', 'maerz', 'mär', 'mrz', 'mars', 'marzo', 'maart', 'mrt', 'março', 'marco'],
        ['apr', 'april', 'avril', 'avr', 'abril', 'abr', 'aprile'],
        ['may', 'mai', 'mayo', 'maggio', 'mag', 'mei', 'maio'],
        ['jun', 'june', 'juni', 'juin', 'junio', 'giugno', 'giu', 'junho'],
        ['jul', 'july', 'juli', 'juillet', 'juil', 'julio', 'luglio', 'lug', 'julho'],
        ['aug', 'august', 'août', 'aout', 'agosto', 'ago', 'augustus'],
        ['sep', 'sept', 'september', 'septembre', 'septiembre', 'settembre', 'set', 'setembro'],
        ['oct', 'october', 'oktober', 'okt', 'octobre', 'octubre', 'ottobre', 'ott', 'outubro', 'out'],
        ['nov', 'november', 'novembre', 'noviembre', 'novembro'],
        ['dec', 'december', 'dezember', 'dez', 'décembre', 'decembre', 'déc', 'diciembre', 'dic', 'dicembre', 'dezembro'],
    ] -%}
    {%- set seen = [] -%}
    {%- for spellings in names %}{% for name in spellings -%}
        {%- if name in seen %}{{ exceptions.raise_compiler_error("month_names: '" ~ name ~ "' names two months") }}{% endif -%}
        {%- do seen.append(name) -%}
    {%- endfor %}{% endfor -%}
    {{ return(names) }}
{%- endmacro %}


{#- The letters of a month name (month_names), as a regular expression's class: Latin-1's letters. -#}
{% macro month_letters() -%}
    [A-Za-zÀ-ÿ]
{%- endmacro %}


{#- A month's number from its name (month_names), in any case; NULL for another text. -#}
{% macro month_number(expr) -%}
    case lower({{ expr }})
        {%- for spellings in month_names() %}{% set month = loop.index %}{% for name in spellings %}
        when '{{ name }}' then {{ month }}
        {%- endfor %}{% endfor %}
    end
{%- endmacro %}


{#- The same, as a DATE (a time part, if any, is dropped). -#}
{% macro parse_raw_date(expr, date_order) -%}
    cast({{ parse_raw_timestamp(expr, date_order) }} as date)
{%- endmacro %}


{#-
    Whether a line of a file whose date order is not known (`is_date_order_known` false, a
    constant per set of conventions: no date of its sample reads only one way) has a date that
    reads as two different days, day first and month first (5/3/21): it cannot be read with
    certainty. A date that reads one way only, or the same day both ways (ISO dates, 5/5/21), is
    not ambiguous. For a file whose order is known, false, with no parse written out: the query
    stays short to plan. `columns`: the layout's date columns (read from raw_<column>).
-#}
{% macro is_ambiguous_date(columns, is_date_order_known) -%}
    {%- if is_date_order_known -%}
        false
    {%- else -%}
    (
        {%- for column in columns %}
        coalesce({{ parse_raw_timestamp('raw_' ~ column, "'dmy'") }} <> {{ parse_raw_timestamp('raw_' ~ column, "'mdy'") }}, false)
        {{- " or" if not loop.last }}
        {%- endfor %}
    )
    {%- endif -%}
{%- endmacro %}


{#-
    Likewise for numbers: whether a line of a file whose decimal separator is not known
    (`is_decimal_separator_known` false: no number of its sample reads only one way) has a number
    that reads as two different numbers with a decimal point and with a decimal comma (1,250 and
    1.250: 1250 or 1.25). 12, 1250 or 5% read the same either way. `columns`: the layout's number
    and money columns (read from raw_<column>). With `typed`, a column's typed number (a Parquet
    or spreadsheet number, is_typed_<column>) is one number whatever its text, and never ambiguous.
-#}
{% macro is_ambiguous_number(columns, is_decimal_separator_known, typed=false) -%}
    {%- if is_decimal_separator_known -%}
        false
    {%- else -%}
    (
        {%- for column in columns %}
        {%- set differs %}
            coalesce(
                {{ parse_raw_number('raw_' ~ column, "'.'", allow_percent=true) }}
                    <> {{ parse_raw_number('raw_' ~ column, "','", allow_percent=true) }},
                false
            )
        {%- endset %}
        {%- if typed %}
        (case when coalesce(is_typed_{{ column }}, false) then false else {{ differs }} end)
        {%- else %}
        {{ differs }}
        {%- endif %}
        {{- " or" if not loop.last }}
        {%- endfor %}
    )
    {%- endif -%}
{%- endmacro %}


{#- The other convention of a file: the order a date would have read in, or the other separator. -#}
{% macro other_date_order(date_order) -%}
    (case {{ date_order }} when 'dmy' then 'mdy' else 'dmy' end)
{%- endmacro %}

{% macro other_decimal_separator(decimal_separator) -%}
    (case {{ decimal_separator }} when '.' then ',' else '.' end)
{%- endmacro %}


{#- Net revenue of a line, defined once: quantity x unit price x (1 - discount), to the cent. -#}
{% macro net_revenue(quantity, unit_price, discount_rate) -%}
    cast(round({{ quantity }} * {{ unit_price }} * (1 - {{ discount_rate }}), 2) as decimal(18, 2))
{%- endmacro %}
