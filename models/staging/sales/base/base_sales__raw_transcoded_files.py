"""UTF-8 copies of the CSV files behind raw_sales_path, when raw_encoding is cp1252.

DuckDB's CSV reader has no cp1252 without a download; retail_segmentation.raw_text re-encodes
each file to UTF-8 beside the warehouse, and base_sales__raw_lines reads the copies under the
original names. Empty for every other raw_encoding (read natively), and its copies deleted.

Incremental: a file copied by an earlier build with the same fingerprint is not read again.
The rows returned replace those of their files (delete+insert on source_file); the post-hook
(set in dbt_project.yml) drops the rows of files that are gone or changed.
"""

import shutil
from pathlib import Path

from retail_segmentation.fingerprints import recorded_fingerprints
from retail_segmentation.raw_text import SCHEMA, transcoded_files


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="source_file",
        on_schema_change="append_new_columns",
    )
    directory = Path(dbt.config.get("transcode_directory"))
    if dbt.config.get("raw_encoding") != "cp1252":
        shutil.rmtree(directory, ignore_errors=True)
        return SCHEMA.empty_table()
    fingerprints = dict(dbt.ref("base_sales__raw_file_fingerprints").project("source_file, file_fingerprint").fetchall())
    copied = recorded_fingerprints(session, str(dbt.this)) if dbt.is_incremental else None
    return transcoded_files(fingerprints, "cp1252", directory, copied)
