"""UTF-8 copies of the CSV files behind raw_sales_path, when raw_encoding is cp1252.

DuckDB's CSV reader has no cp1252 without a download; retail_segmentation.raw_text re-encodes
each file to UTF-8 beside the warehouse, and base_sales__raw_lines reads the copies under the
original names. Empty for every other raw_encoding (read natively).
"""

from pathlib import Path

from retail_segmentation.raw_text import SCHEMA, transcoded_files


def model(dbt, session):
    dbt.config(materialized="table")
    if dbt.config.get("raw_encoding") != "cp1252":
        return SCHEMA.empty_table()
    files = [path for (path,) in dbt.source("raw_sales", "order_line_files").fetchall()]
    return transcoded_files(files, "cp1252", Path(dbt.config.get("transcode_directory")))
