"""The fingerprint of every file behind raw_sales_path: size, modification time, and a hash of
them and of the file's first and last MiB (retail_segmentation.fingerprints).

base_sales__raw_load_plan compares them with the fingerprints of the files already loaded to
decide which files a build reads.
"""

from retail_segmentation.fingerprints import file_fingerprints


def model(dbt, session):
    dbt.config(materialized="table")
    files = dbt.source("raw_sales", "order_line_files").fetchall()
    return file_fingerprints(sorted(path for (path,) in files))
