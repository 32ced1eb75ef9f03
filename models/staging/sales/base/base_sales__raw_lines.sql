-- grain: one row per raw line of every file behind raw_sales_path, as text, in file order
--
-- The one read of the raw files. For CSV a table, and it must stay one: base_sales__order_lines
-- takes each line's number from this table's rowid. DuckDB keeps the files' row order when it
-- writes a table (preserve_insertion_order, on in the profile; the order of union all too), so
-- the rowids of a file's lines are consecutive and in line order, and the read and the write
-- run on every core. Numbering the lines in the scan instead (row_number() over ()) forced the
-- scan and the parse after it onto one thread: base_sales__order_lines took 65.5 s at 10M lines
-- that way, 41.4 s with this table (20 s of it writing this table).
-- Parquet rows carry their number (file_row_number) at no cost, so for Parquet this is a view
-- and the files are read where they are: writing the table cost the 10M-line Parquet build 15 s.
{%- set parquet = raw_sales_are_parquet() %}
{{ config(materialized='view' if parquet else 'table') }}

{{ read_raw_sales(parquet_row_numbers=parquet) }}
