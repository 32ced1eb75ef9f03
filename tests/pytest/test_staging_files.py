"""Files: Parquet with typed columns, globs over several files, and structural errors that stop
the build naming the file without touching what was built before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import RETAIL_CHAIN_HEADER, query, run_dbt, write_csv

pytestmark = pytest.mark.dbt

GOOD = [
    "SO - 1",
    "Online",
    "WARE-001",
    "1/5/18",
    "15/6/18",
    "20/06/2018",
    "25/06/2018",
    "USD",
    "1",
    "7",
    "10",
    "5",
    "2",
    "0.1",
    "$10.00",
    "$20.00",
]


def rows(n: int, start: int = 0) -> list[list[str]]:
    return [[f"SO - {start + i}"] + GOOD[1:] for i in range(n)]


def test_typed_parquet(tmp_path):
    table = pa.table(
        {
            "OrderNumber": ["SO - 1", "SO - 2"],
            "Sales Channel": ["Online", "Wholesale"],
            "WarehouseCode": ["WARE-001", "WARE-002"],
            "ProcuredDate": pa.array([dt.date(2019, 1, 1), dt.date(2019, 1, 2)]),
            "OrderDate": pa.array([dt.datetime(2019, 2, 1, 10, 30), dt.datetime(2019, 2, 2)]),
            "ShipDate": pa.array([dt.date(2019, 2, 3), None]),
            "DeliveryDate": pa.array([dt.date(2019, 2, 5), None]),
            "CurrencyCode": ["USD", "USD"],
            "_SalesTeamID": pa.array([1, 2], pa.int32()),
            "_CustomerID": pa.array([42.0, 43.0]),
            "_StoreID": pa.array([3, 4], pa.int64()),
            "_ProductID": pa.array([5, 6], pa.int16()),
            "Order Quantity": pa.array([2, 3], pa.int32()),
            "Discount Applied": pa.array([0.1, 0.0]),
            "Unit Cost": pa.array([1001.18, 5.5]),
            "Unit Price": pa.array([Decimal("1500.50"), Decimal("9.99")], pa.decimal128(10, 2)),
        }
    )
    path = tmp_path / "sales.parquet"
    pq.write_table(table, path)
    db = tmp_path / "retail.duckdb"
    run_dbt(["build", "--select", "staging"], db, {"raw_sales_path": str(path)})
    assert query(
        db,
        """select source_line_number, customer_id, store_id, order_date, ship_date, quantity, unit_price, unit_cost,
                  discount_rate, net_revenue from staging.stg_sales__order_lines order by 1""",
    ) == [
        (1, "42", "3", dt.date(2019, 2, 1), dt.date(2019, 2, 3), 2,
         Decimal("1500.5000"), Decimal("1001.1800"), Decimal("0.1000"), Decimal("2700.90")),
        (2, "43", "4", dt.date(2019, 2, 2), None, 3, Decimal("9.9900"), Decimal("5.5000"), Decimal("0.0000"), Decimal("29.97")),
    ]  # fmt: skip


def test_glob_numbers_lines_per_file(tmp_path):
    first = rows(3)
    second = rows(4, start=100)
    second[2][RETAIL_CHAIN_HEADER.index("Unit Price")] = "oops"
    write_csv(tmp_path / "in" / "2019.csv", RETAIL_CHAIN_HEADER, first)
    write_csv(tmp_path / "in" / "2020.csv", RETAIL_CHAIN_HEADER, second)
    db = tmp_path / "retail.duckdb"
    glob_vars = {"raw_sales_path": str(tmp_path / "in" / "*.csv"), "raw_max_quarantined_share": 0.5}
    run_dbt(["build", "--select", "staging"], db, glob_vars)
    got = query(db, "select source_file, source_line_number, order_id from staging.stg_sales__order_lines order by 1, 2")
    f1, f2 = str(tmp_path / "in" / "2019.csv"), str(tmp_path / "in" / "2020.csv")
    assert got == [(f1, 2, "SO - 0"), (f1, 3, "SO - 1"), (f1, 4, "SO - 2"), (f2, 2, "SO - 100"), (f2, 3, "SO - 101"), (f2, 5, "SO - 103")]
    assert query(
        db, "select source_file, source_line_number, raw_order_number, quarantine_reason from staging.stg_sales__quarantined_order_lines"
    ) == [(f2, 4, "SO - 102", "non_numeric_money")]
    # the row accounting without re-reading the files (what large inputs get) passes too
    run_dbt(["test", "--select", "assert_every_raw_row_accounted_for"], db, {**glob_vars, "raw_recount_max_mb": 0})


def test_line_numbers_follow_file_order_in_a_large_file(tmp_path):
    """Line numbers come from the rowids of base_sales__raw_lines, written by a parallel scan:
    check that the table keeps file order (each line's number matches its OrderNumber)."""
    n = 300_000
    with open(tmp_path / "big.csv", "w") as handle:
        handle.write(",".join(f'"{c}"' if " " in c else c for c in RETAIL_CHAIN_HEADER) + "\n")
        tail = ",".join(GOOD[1:14]) + ",10.00,20.00\n"
        for i in range(n):
            handle.write(f"SO - {i + 2}," + tail)
    db = tmp_path / "retail.duckdb"
    run_dbt(["run", "--select", "+base_sales__order_lines"], db, {"raw_sales_path": str(tmp_path / "big.csv")})
    assert query(
        db,
        "select count(*), count(*) filter (where order_id = 'SO - ' || cast(source_line_number as varchar))"
        " from staging.base_sales__order_lines",
    ) == [(n, n)]


STRUCTURAL = [
    ("nothing_*.csv", None, "matches no file"),
    ("a_directory", "<directory>", "matches no file (relative paths are read from the directory dbt runs in; a directory needs a glob"),
    ("empty.csv", "", "is empty (no lines)"),
    ("header_only.csv", ",".join(RETAIL_CHAIN_HEADER) + "\n", "has a header but no data rows"),
    (
        "missing_column.csv",
        ",".join(RETAIL_CHAIN_HEADER[:-1]) + "\nSO - 1," + ",".join(GOOD[1:15]) + "\n",
        "is missing column(s) 'Unit Price'",
    ),
]


@pytest.fixture(scope="module")
def built_before(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("structural")
    good = write_csv(tmp / "good.csv", RETAIL_CHAIN_HEADER, rows(5))
    db = tmp / "retail.duckdb"
    run_dbt(["build", "--select", "staging"], db, {"raw_sales_path": str(good)})
    return tmp, db


@pytest.mark.parametrize("name, content, message", STRUCTURAL, ids=[s[0] for s in STRUCTURAL])
def test_structural_problem_stops_the_build_and_keeps_the_last_good_one(built_before, name, content, message):
    tmp, db = built_before
    path = tmp / name
    if content == "<directory>":
        path.mkdir()
    elif content is not None:
        path.write_text(content)
    result = run_dbt(["build", "--select", "staging"], db, {"raw_sales_path": str(path)}, expect_ok=False)
    assert not result.ok
    assert f"'{path}' {message}" in result.output, result.output[-3000:]
    # what was built before is untouched
    assert query(db, "select count(*) from staging.stg_sales__order_lines") == [(5,)]


@pytest.mark.parametrize("path_var", ["raw_customers_path", "raw_fx_rates_path"])
def test_an_optional_input_that_matches_no_file_stops_dbt_before_any_node(built_before, path_var):
    """The inputs are checked once, before any node runs (on-run-start): an optional file named
    but missing is an error there, while left unset it is no file at all."""
    tmp, db = built_before
    missing = tmp / f"no_{path_var}.csv"
    result = run_dbt(["build", "--select", "staging"], db, {path_var: str(missing)}, expect_ok=False)
    assert f"{path_var} '{missing}' matches no file" in result.output, result.output[-3000:]
    assert "on-run-start" in result.output and "START sql" not in result.output
    assert query(db, "select count(*) from staging.stg_sales__order_lines") == [(5,)]


def test_a_mostly_malformed_csv_stops_the_build_naming_the_file(built_before):
    """One of two lines has extra fields: quarantined as malformed_line, and at half the file that
    is above raw_max_quarantined_share, so the build stops before anything is replaced."""
    tmp, db = built_before
    path = tmp / "ragged.csv"
    good_line = "SO - 1," + ",".join(GOOD[1:])
    path.write_text(",".join(RETAIL_CHAIN_HEADER) + "\n" + good_line + "\n" + good_line + ",extra,fields\n")
    result = run_dbt(["build", "--select", "staging"], db, {"raw_sales_path": str(path)}, expect_ok=False)
    assert not result.ok
    assert f"'{path}' had 1 of its 2 lines refused (50.0%; malformed_line: 1)" in result.output, result.output[-3000:]
    assert query(db, "select count(*) from staging.stg_sales__order_lines") == [(5,)]


def test_unknown_layout_is_a_clear_error(built_before):
    tmp, db = built_before
    result = run_dbt(["build", "--select", "staging"], db, {"raw_sales_format": "excel"}, expect_ok=False)
    assert "var raw_sales_format is 'excel': it must be one of retail_chain | online_retail" in result.output


def test_build_goes_on_after_a_query_spills_to_disk(tmp_path, monkeypatch):
    """Large inputs spill to DUCKDB_TEMP_DIRECTORY. The temp directory is set once per database
    (profile config_options): set per cursor, every node after the first spill failed with
    'Cannot switch temporary directory' (seen at 100M lines; this memory limit forces it at 1M)."""
    from retail_segmentation.generator import Config, generate

    path = tmp_path / "sales.csv"
    generate(Config(lines=1_000_000, customers=50_000, seed=5), path)
    monkeypatch.setenv("DUCKDB_MEMORY_LIMIT", "180MB")
    result = run_dbt(
        ["build", "--select", "+base_sales__order_lines+1", "--exclude", "resource_type:unit_test"],
        tmp_path / "retail.duckdb",
        {"raw_sales_path": str(path)},
    )
    assert "Cannot switch temporary directory" not in result.output
    assert query(tmp_path / "retail.duckdb", "select count(*) from staging.base_sales__order_lines") == [(1_000_000,)]


def test_parquet_rows_are_numbered_alike_alone_and_beside_csv(tmp_path):
    """A .parquet path is read through a view (rows numbered by file_row_number); a glob that also
    matches CSV goes through the table (numbered by rowid). The Parquet rows get the same numbers."""
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", RETAIL_CHAIN_HEADER, rows(3))
    parquet = tmp_path / "in" / "b.parquet"
    pq.write_table(pa.table({h: [r[i] for r in rows(5, start=10)] for i, h in enumerate(RETAIL_CHAIN_HEADER)}), parquet)
    numbered = "select source_line_number, order_id from staging.stg_sales__order_lines where source_file like '%.parquet' order by 1"
    alone, mixed = tmp_path / "alone.duckdb", tmp_path / "mixed.duckdb"
    run_dbt(["run", "--select", "+stg_sales__order_lines"], alone, {"raw_sales_path": str(parquet)})
    run_dbt(["run", "--select", "staging"], mixed, {"raw_sales_path": str(tmp_path / "in" / "*")})
    expected = [(i + 1, f"SO - {10 + i}") for i in range(5)]
    assert query(alone, numbered) == expected
    assert query(mixed, numbered) == expected
    # the dense line-number accounting (used above raw_recount_max_mb) knows each file's first line
    run_dbt(
        ["test", "--select", "assert_every_raw_row_accounted_for"],
        mixed,
        {"raw_sales_path": str(tmp_path / "in" / "*"), "raw_recount_max_mb": 0},
    )
    assert query(alone, "select table_type from information_schema.tables where table_name = 'base_sales__raw_lines'") == [("VIEW",)]
    assert query(mixed, "select table_type from information_schema.tables where table_name = 'base_sales__raw_lines'") == [("BASE TABLE",)]
