"""The full build on the embedded sample: every raw row accounted for, and a warehouse file that
a DuckDB 1.1 client (what BI drivers embed) opens from any directory."""

from __future__ import annotations

import csv
import json
import subprocess

import pytest
from conftest import PROJECT, query

pytestmark = pytest.mark.dbt


def test_sample_rows_all_accounted_for(sample_warehouse):
    with open(PROJECT / "data" / "sample" / "sales_data.csv", newline="") as handle:
        raw_lines = sum(1 for _ in csv.reader(handle)) - 1
    clean = query(sample_warehouse, "select count(*) from staging.stg_sales__order_lines")[0][0]
    refused = query(sample_warehouse, "select count(*) from staging.stg_sales__quarantined_order_lines")[0][0]
    assert clean + refused == raw_lines
    assert 0 < refused < raw_lines * 0.02  # the sample's bad-row rate is 0.5%


def test_sample_quarantine_reasons_match_the_generator_defects(sample_warehouse):
    from retail_segmentation.generator import DEFECTS

    reasons = {r[0] for r in query(sample_warehouse, "select distinct quarantine_reason from staging.stg_sales__quarantined_order_lines")}
    assert reasons == set(DEFECTS)


def test_duckdb_1_1_client_reads_every_relation_from_another_directory(sample_warehouse, duckdb11_python, tmp_path):
    script = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
names = con.execute(
    "select table_schema, table_name from information_schema.tables order by 1, 2"
).fetchall()
out = {"version": duckdb.__version__, "counts": {}}
for schema, name in names:
    out["counts"][f"{schema}.{name}"] = con.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
print(json.dumps(out))
"""
    proc = subprocess.run([str(duckdb11_python), "-c", script, str(sample_warehouse)], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["version"].startswith("1.1.")
    expected = {
        f"{schema}.{name}" for schema, name in query(sample_warehouse, "select table_schema, table_name from information_schema.tables")
    }
    assert set(result["counts"]) == expected
    assert (
        result["counts"]["staging.stg_sales__order_lines"]
        == query(sample_warehouse, "select count(*) from staging.stg_sales__order_lines")[0][0]
    )
