"""The rows of every spreadsheet (.xlsx) behind raw_sales_path, as lists of text fields.

Empty when raw_sales_path matches no spreadsheet. base_sales__raw_lines adds these rows to the
CSV lines it reads, so spreadsheets go through the same header matching, parsing and quarantine.
See retail_segmentation.spreadsheets.
"""

from retail_segmentation.spreadsheets import spreadsheets_rows


def model(dbt, session):
    dbt.config(materialized="table")
    files = dbt.source("raw_sales", "order_line_files").fetchall()
    return spreadsheets_rows(sorted(path for (path,) in files if path.lower().endswith(".xlsx")))
