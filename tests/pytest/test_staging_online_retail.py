"""The online_retail raw contract (UCI Online Retail II): cancellations net, ids and dates as exported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import ONLINE_RETAIL_HEADER, assert_lines_land, query, run_dbt, write_csv

pytestmark = pytest.mark.dbt

# (row, expected reason or None)
CASES = [
    (["489434", "85048", "15CM CHRISTMAS GLASS BALL", "12", "2009-12-01 07:45:00", "6.95", "13085.0", "United Kingdom"], None),
    (["489434", "79323P", "PINK CHERRY LIGHTS", "12", "2009-12-01 07:45:00", "6.75", "13085.0", "United Kingdom"], None),
    (["489435", "22350", "CAT BOWL", "24", "12/1/2010 8:26", "2.10", "13085", "United Kingdom"], None),
    (["C489449", "22087", "PAPER BUNTING WHITE LACE", "-12", "12/1/2010 10:33", "2.95", "16321.0", "Australia"], None),
    (["C489449", "85206A", "CREAM FELT EASTER EGG BASKET", "-6", "12/1/2010 10:33", "1.65", "16321.0", "Australia"], None),
    (["489436", "21955", "DOORMAT UNION JACK", "10", "2009-12-01 09:06:00", "6.75", "", "United Kingdom"], "missing_customer_id"),
    (
        ["489437", "22143", "CHRISTMAS CRAFT HEART", "-2", "2009-12-01 09:08:00", "2.10", "15362.0", "United Kingdom"],
        "non_positive_quantity",
    ),
    (["C489450", "21871", "SAVE THE PLANET MUG", "3", "2009-12-01 10:00:00", "1.25", "15362.0", "United Kingdom"], "invalid_cancellation"),
    (["A563185", "B", "Adjust bad debt", "1", "2011-08-12 14:50:00", "-11062.06", "", "United Kingdom"], "missing_customer_id"),
    (["A563186", "B", "Adjust bad debt", "1", "2011-08-12 14:51:00", "-11062.06", "17000", "United Kingdom"], "negative_money"),
    (["489438", "", "no stock code", "1", "2009-12-01 09:24:00", "1.00", "18102.0", "United Kingdom"], "missing_product_id"),
    (["489439", "22350", "CAT BOWL", "1", "13/45/2010 8:26", "1.00", "18102.0", "United Kingdom"], "unparseable_date"),
    (["489440", "22350", "CAT BOWL", "many", "2009-12-01 09:30:00", "1.00", "18102.0", "United Kingdom"], "non_numeric_quantity"),
    (["489441", "22350", "CAT BOWL", "1", "2009-12-01 09:31:00", "free", "18102.0", "United Kingdom"], "non_numeric_money"),
    # no currency column: the amounts are in reporting_currency (USD here), which a pound sign contradicts
    (["489442", "22350", "CAT BOWL", "1", "2009-12-01 09:32:00", "£2.10", "18102.0", "United Kingdom"], "currency_sign_mismatch"),
    (["489443", "22350", "CAT BOWL", "1", "2009-12-01 09:33:00", "$2.10", "18102.0", "United Kingdom"], None),
    # ISO 8601 with a T, as databases and APIs export; a time zone is read and dropped: the time as written
    (["489444", "22350", "CAT BOWL", "1", "2009-12-01T09:34:00", "2.10", "18102.0", "United Kingdom"], None),
    (["489445", "22350", "CAT BOWL", "1", "2009-12-01T09:35:00+01:00", "2.10", "18102.0", "United Kingdom"], None),
    (["489434", "85048", "15CM CHRISTMAS GLASS BALL", "12", "2009-12-01 07:45:00", "6.95", "13085.0", "United Kingdom"], "duplicate_line"),
    # a day above 12 tells the file's order, month first as UCI writes it: without such a line,
    # 12/1/2010 above would be ambiguous_date (the 1st of December or the 12th of January)
    (["489446", "22350", "CAT BOWL", "1", "12/13/2010 9:00", "2.10", "18102.0", "United Kingdom"], None),
    # Excel's text formula, which exports write to keep a code's leading zeros: the code is its
    # text, and a cancellation's C is read inside it
    (['="C489447"', '="022350"', "CAT BOWL", "-1", "2009-12-02 09:00:00", "2.10", '="18102.0"', "United Kingdom"], None),
    # a 12-hour time, as US Excel and SQL Server exports write it
    (["489448", "22350", "CAT BOWL", "1", "12/2/2010 8:26:00 PM", "2.10", "18102.0", "United Kingdom"], None),
    (["489449", "22350", "CAT BOWL", "1", "12/2/2010 12:05 AM", "2.10", "18102.0", "United Kingdom"], None),
    (["489450", "22350", "CAT BOWL", "1", "12/2/2010 13:05 PM", "2.10", "18102.0", "United Kingdom"], "unparseable_date"),
    # a zone by a name other than UTC or GMT is not read: its offset is not in the text
    (["489451", "22350", "CAT BOWL", "1", "2009-12-01 09:36:00 CET", "2.10", "18102.0", "United Kingdom"], "unparseable_date"),
]


@pytest.fixture(scope="module")
def online_warehouse(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("online_retail")
    path = write_csv(tmp / "online_retail_II.csv", ONLINE_RETAIL_HEADER, [row for row, _ in CASES])
    db = tmp / "retail.duckdb"
    run_dbt(
        ["build", "--select", "staging"],
        db,
        {"raw_sales_path": str(path), "raw_sales_format": "online_retail", "raw_max_quarantined_share": 1},
    )
    return db


def test_every_line_lands_where_expected(online_warehouse):
    assert_lines_land(online_warehouse, CASES)


def test_canonical_columns(online_warehouse):
    rows = query(
        online_warehouse,
        """select order_id, customer_id, product_id, product_description, country, sales_channel, store_id,
                  quantity, unit_price, discount_rate, net_revenue, is_cancellation, order_date, ordered_at
           from staging.stg_sales__order_lines where source_line_number in (2, 4, 5) order by source_line_number""",
    )
    assert rows == [
        ("489434", "13085", "85048", "15CM CHRISTMAS GLASS BALL", "United Kingdom", "Online", None, 12,
         Decimal("6.9500"), Decimal("0.0000"), Decimal("83.40"), False, dt.date(2009, 12, 1), dt.datetime(2009, 12, 1, 7, 45)),
        ("489435", "13085", "22350", "CAT BOWL", "United Kingdom", "Online", None, 24,
         Decimal("2.1000"), Decimal("0.0000"), Decimal("50.40"), False, dt.date(2010, 12, 1), dt.datetime(2010, 12, 1, 8, 26)),
        ("C489449", "16321", "22087", "PAPER BUNTING WHITE LACE", "Australia", "Online", None, -12,
         Decimal("2.9500"), Decimal("0.0000"), Decimal("-35.40"), True, dt.date(2010, 12, 1), dt.datetime(2010, 12, 1, 10, 33)),
    ]  # fmt: skip


def test_cancellations_net_against_revenue(online_warehouse):
    assert query(
        online_warehouse,
        "select customer_id, sum(net_revenue) from staging.stg_sales__order_lines group by 1 order by 1",
    ) == [("13085", Decimal("214.80")), ("16321", Decimal("-45.30")), ("18102", Decimal("10.50"))]
    assert query(
        online_warehouse, "select ordered_at from staging.stg_sales__order_lines where order_id in ('489444', '489445') order by 1"
    ) == [(dt.datetime(2009, 12, 1, 9, 34),), (dt.datetime(2009, 12, 1, 9, 35),)]


def test_codes_written_as_excel_text_formulas_are_their_text(online_warehouse):
    assert query(
        online_warehouse,
        """select order_id, product_id, customer_id, is_cancellation, net_revenue
           from staging.stg_sales__order_lines where order_id = 'C489447'""",
    ) == [("C489447", "022350", "18102", True, Decimal("-2.10"))]


def test_12_hour_times_are_read(online_warehouse):
    assert query(
        online_warehouse,
        "select order_id, ordered_at from staging.stg_sales__order_lines where order_id in ('489448', '489449') order by 1",
    ) == [("489448", dt.datetime(2010, 12, 2, 20, 26)), ("489449", dt.datetime(2010, 12, 2, 0, 5))]
