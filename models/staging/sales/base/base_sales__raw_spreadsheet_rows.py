"""The rows of every spreadsheet (.xlsx) behind raw_sales_path, as lists of text fields.

Empty when raw_sales_path matches no spreadsheet. base_sales__raw_lines adds these rows to the
CSV lines it reads, so spreadsheets go through the same header matching, parsing and quarantine.
See retail_segmentation.spreadsheets.

Incremental: a spreadsheet read by an earlier build with the same fingerprint is not read again.
The rows returned replace those of their files (delete+insert on source_file); the post-hook
(set in dbt_project.yml) drops the rows of files that are gone or changed.
"""

from retail_segmentation.fingerprints import recorded_fingerprints
from retail_segmentation.spreadsheets import spreadsheets_rows


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="source_file",
        on_schema_change="append_new_columns",
    )
    fingerprints = dbt.ref("base_sales__raw_file_fingerprints").project("source_file, file_fingerprint").fetchall()
    # a workbook whose rows an older reader wrote (no typed_numbers) is read again
    read = recorded_fingerprints(session, str(dbt.this), complete="typed_numbers") if dbt.is_incremental else {}
    return spreadsheets_rows(
        {path: fingerprint for path, fingerprint in fingerprints if path.lower().endswith(".xlsx") and read.get(path) != fingerprint}
    )
