"""The benchmark's whole-job floor computes what the build computes, so build / job floor compares like with like."""

from __future__ import annotations

import duckdb
import pytest
from conftest import PROJECT, query, run_dbt

from retail_segmentation.generator import Config, generate

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory):
    """A build and the job floor on one generated file with no bad lines (the floor quarantines nothing)."""
    tmp = tmp_path_factory.mktemp("bench_floor")
    sales = tmp / "sales.csv"
    generate(Config(lines=5000, customers=300, seed=11, bad_rate=0.0), sales, customers_out=tmp / "customers.csv")
    db = tmp / "retail.duckdb"
    run_dbt(["build"], db, {"raw_sales_path": str(sales), "raw_customers_path": str(tmp / "customers.csv")})
    floor_db = tmp / "floor.duckdb"
    con = duckdb.connect(str(floor_db))
    con.execute((PROJECT / "bench" / "floor_job.sql").read_text().replace("{path}", str(sales)))
    con.close()
    return db, floor_db


def test_the_job_floor_reads_every_line_the_build_keeps(clean_build):
    db, floor_db = clean_build
    assert query(db, "select count(*) from fct_sales") == query(floor_db, "select count(*) from sales_lines")
    assert query(db, "select count(*) from staging.stg_sales__quarantined_order_lines") == [(0,)]


def test_the_job_floor_finds_the_builds_rfm_per_customer(clean_build):
    db, floor_db = clean_build
    build = query(db, "select cast(customer_id as varchar), recency_days, frequency, monetary from fct_customer_rfm order by 1")
    floor = query(floor_db, "select cast(customer_id as varchar), recency_days, frequency, monetary from customer_rfm order by 1")
    assert len(build) == len(floor) > 100
    assert [row[:3] for row in build] == [row[:3] for row in floor]
    assert all(abs(float(b[3]) - float(f[3])) < 0.01 * max(1, b[2]) for b, f in zip(build, floor))


def test_the_job_floor_finds_the_builds_monthly_net_revenue(clean_build):
    db, floor_db = clean_build
    build = query(db, "select month_start_date, net_revenue from fct_monthly_sales order by 1")
    floor = query(floor_db, "select cast(order_month as date), sum(net_revenue) from monthly_sales group by 1 order by 1")
    assert [row[0] for row in build] == [row[0] for row in floor]
    assert all(abs(float(b[1]) - float(f[1])) < 1 for b, f in zip(build, floor))
