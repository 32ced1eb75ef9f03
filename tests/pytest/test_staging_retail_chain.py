"""The retail_chain raw contract: every quirk parsed, every bad line quarantined with its reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from conftest import RETAIL_CHAIN_HEADER, assert_lines_land, query, run_dbt, write_csv

pytestmark = pytest.mark.dbt

BASE = dict(
    zip(
        RETAIL_CHAIN_HEADER,
        ["SO - 000101", "In-Store", "WARE-001", "1/5/18", "15/6/18", "20/06/2018", "2018-06-25", "USD",
         "1", "1001", "10", "5", "3", "0.075", "$1,001.18", "1500.50"],
    )
)  # fmt: skip

# Cases that move the order date far from BASE's blank their other dates, which would
# otherwise be more than raw_max_lead_days away (implausible_date).
ONLY_ORDER_DATE = {"ProcuredDate": "", "ShipDate": "", "DeliveryDate": ""}

# (overrides of BASE, expected reason or None for a clean line). Each case gets its own
# OrderNumber unless it sets one, so no two cases are accidental duplicates.
CASES = [
    ({}, None),  # line 2: the base line; day-first d/m/yy dates, quoted and plain money
    ({"OrderDate": "05/07/19", **ONLY_ORDER_DATE}, None),  # dd/mm/yy
    ({"OrderDate": "5/7/2019", **ONLY_ORDER_DATE}, None),  # d/m/yyyy
    ({"OrderDate": "31/12/2020", **ONLY_ORDER_DATE}, None),  # dd/mm/yyyy
    ({"OrderDate": "2020-02-29", **ONLY_ORDER_DATE}, None),  # ISO
    ({"Discount Applied": "0"}, None),
    ({"Discount Applied": "1"}, None),
    ({"Sales Channel": "online"}, None),  # channel spelling is normalised
    ({"Sales Channel": " Wholesale "}, None),
    ({"_CustomerID": "1002.0"}, None),  # float-formatted id
    ({"ShipDate": "", "DeliveryDate": ""}, None),  # not shipped yet: optional dates may be blank
    ({"Unit Price": "$12,345.67", "Unit Cost": "12345.6"}, None),
    ({"OrderNumber": ""}, "missing_order_id"),
    ({"_CustomerID": ""}, "missing_customer_id"),
    ({"_ProductID": " "}, "missing_product_id"),
    ({"_StoreID": ""}, "missing_store_id"),
    ({"Sales Channel": "Telephone"}, "unknown_channel"),
    ({"OrderDate": "31/02/2019"}, "unparseable_date"),
    ({"OrderDate": "1/6/218"}, "unparseable_date"),
    ({"OrderDate": ""}, "unparseable_date"),
    ({"ShipDate": "soon"}, "unparseable_date"),
    ({"Order Quantity": "two"}, "non_numeric_quantity"),
    ({"Order Quantity": "2.5"}, "non_numeric_quantity"),
    ({"Order Quantity": "0"}, "non_positive_quantity"),
    ({"Order Quantity": "-1"}, "non_positive_quantity"),
    ({"Discount Applied": "abc"}, "non_numeric_discount"),
    ({"Discount Applied": ""}, "non_numeric_discount"),
    ({"Discount Applied": "1.5"}, "discount_out_of_range"),
    ({"Discount Applied": "-0.1"}, "discount_out_of_range"),
    ({"Unit Price": "N/A"}, "non_numeric_money"),
    ({"Unit Cost": ""}, "non_numeric_money"),
    ({"Unit Price": "-5.00"}, "negative_money"),
    ({"Order Quantity": "99999999999"}, "number_out_of_range"),  # would overflow DECIMAL(18)
    ({"Unit Price": "12345678901.00"}, "number_out_of_range"),
    ({"OrderDate": "1/1/2098", **ONLY_ORDER_DATE}, "implausible_date"),  # after the day of the build
    ({"OrderDate": "1/1/1900", **ONLY_ORDER_DATE}, "implausible_date"),  # before raw_min_order_date
    ({"DeliveryDate": "25/06/2021"}, "implausible_date"),  # 3 years after the order
    ({"ProcuredDate": "1/5/15"}, "implausible_date"),  # 3 years before the order
    ({"_CustomerID": "1.23457E+11"}, "scientific_notation_id"),  # Excel's long id: its last digits are lost
    ({"_ProductID": "4,5E+12"}, "scientific_notation_id"),  # the same in a decimal-comma locale
    ({"_CustomerID": "1001E"}, None),  # an E alone is no exponent
    ({"OrderNumber": "SO - 000101"}, "duplicate_line"),  # exact copy of line 2
    ({"OrderDate": "5-Jan-19", **ONLY_ORDER_DATE}, None),  # Excel's d-mmm-yy and Oracle's DD-MON-YY
    ({"OrderDate": "05-01-2019", **ONLY_ORDER_DATE}, None),  # a dash date, in the file's order (day first)
    # an export that wraps every field in Excel's text formula: the codes are their text
    ({"OrderNumber": '="SO - 002001"', "Sales Channel": '="Online"', "WarehouseCode": '="WARE-002"', "CurrencyCode": '="usd"'}, None),
    ({"_CustomerID": '="0007"'}, None),  # Excel's text formula, written to keep leading zeros
    ({"_StoreID": '="10.0"'}, None),  # a float-formatted id inside it
    ({"_CustomerID": '="7'}, None),  # no formula: kept as written
    ({"_CustomerID": "", "OrderDate": "not a date"}, "missing_customer_id"),  # two problems, on the last line
]


@pytest.fixture(scope="module")
def quirks_warehouse(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("retail_chain")
    rows = []
    for i, (overrides, _) in enumerate(CASES):
        row = {**BASE, "OrderNumber": f"SO - {1000 + i:06d}"} if i else dict(BASE)
        row.update(overrides)
        rows.append([row[c] for c in RETAIL_CHAIN_HEADER])
    path = write_csv(tmp / "sales.csv", RETAIL_CHAIN_HEADER, rows)
    db = tmp / "retail.duckdb"
    # a fixture made of defects: let its clean lines load and look at every refused one
    run_dbt(["build", "--select", "staging"], db, {"raw_sales_path": str(path), "raw_max_quarantined_share": 1})
    return db, path


def test_every_line_lands_where_expected(quirks_warehouse):
    db, _ = quirks_warehouse
    assert_lines_land(db, CASES)


def test_base_line_is_parsed_and_priced(quirks_warehouse):
    db, path = quirks_warehouse
    row = query(
        db,
        """select order_id, customer_id, store_id, product_id, sales_channel, quantity, unit_price, unit_cost,
                  discount_rate, gross_revenue, discount_amount, net_revenue, cost_amount,
                  procured_date, order_date, ship_date, delivery_date, source_file
           from staging.stg_sales__order_lines where source_line_number = 2""",
    )[0]
    assert row == (
        "SO - 000101", "1001", "10", "5", "In-Store", 3, Decimal("1500.5000"), Decimal("1001.1800"),
        Decimal("0.0750"), Decimal("4501.50"), Decimal("337.61"), Decimal("4163.89"), Decimal("3003.54"),
        dt.date(2018, 5, 1), dt.date(2018, 6, 15), dt.date(2018, 6, 20), dt.date(2018, 6, 25), str(path),
    )  # fmt: skip


@pytest.mark.parametrize(
    "line, column, expected",
    [
        (3, "order_date", dt.date(2019, 7, 5)),
        (4, "order_date", dt.date(2019, 7, 5)),
        (5, "order_date", dt.date(2020, 12, 31)),
        (6, "order_date", dt.date(2020, 2, 29)),
        (7, "net_revenue", Decimal("4501.50")),
        (8, "net_revenue", Decimal("0.00")),
        (9, "sales_channel", "Online"),
        (10, "sales_channel", "Wholesale"),
        (11, "customer_id", "1002"),
        (12, "ship_date", None),
        (13, "unit_price", Decimal("12345.6700")),
        (13, "unit_cost", Decimal("12345.6000")),
        (len(CASES) - 5, "order_date", dt.date(2019, 1, 5)),
        (len(CASES) - 4, "order_date", dt.date(2019, 1, 5)),
        (len(CASES) - 3, "order_id", "SO - 002001"),
        (len(CASES) - 3, "sales_channel", "Online"),
        (len(CASES) - 3, "warehouse_code", "WARE-002"),
        (len(CASES) - 3, "currency_code", "USD"),
        (len(CASES) - 2, "customer_id", "0007"),
        (len(CASES) - 1, "store_id", "10"),
        (len(CASES), "customer_id", '="7'),
    ],
)
def test_quirks_parse(quirks_warehouse, line, column, expected):
    db, _ = quirks_warehouse
    assert query(db, f"select {column} from staging.stg_sales__order_lines where source_line_number = ?", [line]) == [(expected,)]


def test_quarantine_keeps_raw_values_and_all_reasons(quirks_warehouse):
    db, path = quirks_warehouse
    last_line = len(CASES) + 1
    row = query(
        db,
        """select quarantine_reason, quarantine_reasons, source_file, raw_customer_id, raw_order_date, raw_unit_price
           from staging.stg_sales__quarantined_order_lines where source_line_number = ?""",
        [last_line],
    )
    # raw values are the text of the fields: an empty field is ''
    assert row == [("missing_customer_id", "missing_customer_id,unparseable_date", str(path), "", "not a date", "1500.50")]
    assert query(
        db, "select raw_unit_price from staging.stg_sales__quarantined_order_lines where quarantine_reason = 'non_numeric_money' order by 1"
    ) == [("1500.50",), ("N/A",)]


def test_duplicate_names_the_line_it_repeats_and_the_hash_is_checked(quirks_warehouse, tmp_path):
    db, path = quirks_warehouse
    duplicate_line = 2 + next(i for i, (_, reason) in enumerate(CASES) if reason == "duplicate_line")
    assert query(
        db,
        """select duplicate_of_order_line_id from staging.stg_sales__quarantined_order_lines
           where source_line_number = ?""",
        [duplicate_line],
    ) == [(10_000_000_000 + 2,)]
    # Duplicates are found by a hash of the raw values; the guard test compares the values
    # themselves. Make line 2 differ from its "duplicate" and the guard must stop the build.
    # raw_values holds the fields in the layout's order: the 15th is Unit Cost. The guard must
    # also stop the build if the raw values were not kept at all (two NULLs are not distinct).
    tamperings = {
        "a different unit cost on line 2": "update staging.base_sales__order_lines "
        "set raw_values = list_concat(raw_values[1:14], ['$1.00'], raw_values[16:]) where source_line_number = 2",
        "no raw values kept on either line": "update staging.base_sales__order_lines "
        f"set raw_values = null where source_line_number in (2, {duplicate_line})",
    }
    for name, update in tamperings.items():
        tampered = tmp_path / "tampered.duckdb"
        tampered.write_bytes(db.read_bytes())
        con = duckdb.connect(str(tampered))
        con.execute(update)
        con.close()
        result = run_dbt(
            ["test", "--select", "assert_duplicate_lines_repeat_exactly"], tampered, {"raw_sales_path": str(path)}, expect_ok=False
        )
        assert not result.ok and "assert_duplicate_lines_repeat_exactly" in result.output, name
        assert "Got 1 result" in result.output, name


def test_month_first_exports(tmp_path):
    rows = [[BASE[c] if c != "OrderNumber" else f"SO - {i}" for c in RETAIL_CHAIN_HEADER] for i in range(3)]
    idx = RETAIL_CHAIN_HEADER.index("OrderDate")
    rows[0][idx], rows[1][idx], rows[2][idx] = "6/1/18", "12/31/2019", "31/12/2019"
    for row in rows:
        row[RETAIL_CHAIN_HEADER.index("ProcuredDate")] = ""
        row[RETAIL_CHAIN_HEADER.index("ShipDate")] = ""
        row[RETAIL_CHAIN_HEADER.index("DeliveryDate")] = ""
    path = write_csv(tmp_path / "mdy.csv", RETAIL_CHAIN_HEADER, rows)
    db = tmp_path / "retail.duckdb"
    vars = {"raw_sales_path": str(path), "raw_date_order": "mdy", "raw_max_quarantined_share": 1}
    run_dbt(["build", "--select", "staging"], db, vars)
    assert query(db, "select source_line_number, order_date from staging.stg_sales__order_lines order by 1") == [
        (2, dt.date(2018, 6, 1)),
        (3, dt.date(2019, 12, 31)),
    ]
    assert query(db, "select source_line_number, quarantine_reason from staging.stg_sales__quarantined_order_lines") == [
        (4, "unparseable_date")
    ]
