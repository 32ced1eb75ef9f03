"""The sample generator: deterministic to the byte, realistic in shape, streaming in chunks."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest
from conftest import PROJECT

from retail_segmentation import generator
from retail_segmentation.generator import Config, generate


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_committed_sample_is_the_generator_output(tmp_path):
    """`make sample` reproduces data/sample byte for byte."""
    out, customers, experiments = tmp_path / "sales_data.csv", tmp_path / "customers.csv", tmp_path / "experiments.csv"
    generator.main(
        ["--lines", "50000", "--seed", "42", "--out", str(out), "--customers-out", str(customers)]
        + ["--experiments-out", str(experiments), "--quiet"]
    )
    for path in (out, customers, experiments):
        assert digest(path) == digest(PROJECT / "data" / "sample" / path.name), path.name


def test_seed_changes_the_data(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    generate(Config(lines=2000, customers=200, seed=1), a)
    generate(Config(lines=2000, customers=200, seed=2), b)
    assert digest(a) != digest(b)


def test_chunks_stream_and_continue_order_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(generator, "CHUNK_LINES", 1000)
    out = tmp_path / "s.csv"
    assert generate(Config(lines=3500, customers=300, bad_rate=0), out) == 3500
    con = duckdb.connect()
    n, orders, max_lines = con.execute(
        f"""select count(*), count(distinct OrderNumber), max(c) from (
              select OrderNumber, count(*) over (partition by OrderNumber) c from read_csv('{out}', all_varchar=true))"""
    ).fetchall()[0]
    assert n == 3500
    assert max_lines <= 3  # order numbers never collide across chunks
    assert 2500 < orders < 3400


def test_parquet_holds_the_same_lines_as_csv(tmp_path):
    cfg = Config(lines=3000, customers=300)
    generate(cfg, tmp_path / "s.csv")
    generate(cfg, tmp_path / "s.parquet", fmt="parquet")
    con = duckdb.connect()
    # CSV has no empty string: an empty field reads as NULL, so compare Parquet's '' as NULL too
    diff = con.execute(
        f"""select count(*) from (
              select * from read_csv('{tmp_path / "s.csv"}', all_varchar=true)
              except all
              select nullif(columns(*)::varchar, '') from read_parquet('{tmp_path / "s.parquet"}'))"""
    ).fetchall()[0][0]
    parquet = tmp_path / "s.parquet"
    assert con.execute(f"select count(*) from read_parquet('{parquet}')").fetchall()[0][0] == 3000
    assert diff == 0


@pytest.fixture(scope="module")
def sample_lines():
    """The committed sample, parsed loosely in DuckDB (clean lines only)."""
    con = duckdb.connect()
    con.execute(
        f"""create table lines as
            select "_CustomerID" as customer, "Sales Channel" as channel, "_StoreID" as store, "_ProductID" as product,
                   "OrderNumber" as order_number,
                   try_strptime("OrderDate", ['%d/%m/%Y', '%Y-%m-%d']) as order_ts,
                   try_cast("Order Quantity" as int)
                     * try_cast(replace(replace("Unit Price", '$', ''), ',', '') as double)
                     * (1 - try_cast("Discount Applied" as double)) as revenue
            from read_csv('{PROJECT / "data" / "sample" / "sales_data.csv"}', all_varchar=true)"""
    )
    con.execute("delete from lines where revenue is null or revenue <= 0 or order_ts is null or customer is null")
    con.execute("update lines set order_ts = order_ts + interval 2000 year where year(order_ts) < 100")
    return con


def test_a_small_share_of_customers_brings_most_revenue(sample_lines):
    top_share = sample_lines.execute(
        """with c as (select customer, sum(revenue) v from lines group by 1),
                r as (select v, ntile(5) over (order by v desc) as quintile from c)
           select sum(v) filter (where quintile = 1) / sum(v) from r"""
    ).fetchall()[0][0]
    assert top_share > 0.5


def test_purchase_frequency_varies_and_customers_stop_buying(sample_lines):
    one_order, many_orders, stopped = sample_lines.execute(
        """with c as (select customer, count(distinct order_number) n, max(order_ts) last from lines group by 1)
           select avg((n = 1)::int), avg((n >= 20)::int), avg((last < date '2020-06-30')::int) from c"""
    ).fetchall()[0]
    assert one_order > 0.05 and many_orders > 0.05
    assert stopped > 0.2


def test_channels_stores_products_and_seasonality(sample_lines):
    channels = dict(sample_lines.execute("select channel, count(*) from lines group by 1").fetchall())
    assert set(channels) >= {"In-Store", "Online", "Distributor", "Wholesale"}
    assert channels["In-Store"] > channels["Wholesale"]
    stores, products = sample_lines.execute("select count(distinct store), count(distinct product) from lines").fetchall()[0]
    assert stores > 300 and 40 <= products <= 60
    december, average = sample_lines.execute(
        """with m as (select month(order_ts) m, count(*) n from lines group by 1)
           select max(n) filter (where m = 12), avg(n) from m"""
    ).fetchall()[0]
    assert december > 1.2 * average


def test_dates_come_in_every_export_shape():
    con = duckdb.connect()
    shapes = dict(
        con.execute(
            f"""select case
                  when regexp_full_match("OrderDate", '\\d{{4}}-\\d{{2}}-\\d{{2}}') then 'iso'
                  when regexp_full_match("OrderDate", '\\d/\\d{{1,2}}/\\d{{2}}|\\d{{2}}/\\d/\\d{{2}}') then 'short'
                  when regexp_full_match("OrderDate", '\\d{{2}}/\\d{{2}}/\\d{{2}}') then 'padded'
                  when regexp_full_match("OrderDate", '\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}') then 'long'
                  else 'other' end, count(*)
                from read_csv('{PROJECT / "data" / "sample" / "sales_data.csv"}', all_varchar=true) group by 1"""
        ).fetchall()
    )
    assert {"iso", "short", "padded", "long"} <= set(shapes)
    money = con.execute(
        f"""select count(*) filter (where "Unit Price" like '$%,%'),
                  count(*) filter (where regexp_full_match("Unit Price", '[0-9]+[.][0-9]{{2}}'))
            from read_csv('{PROJECT / "data" / "sample" / "sales_data.csv"}', all_varchar=true)"""
    ).fetchall()[0]
    assert money[0] > 0 and money[1] > 0


def test_no_bad_rows_when_bad_rate_is_zero(tmp_path):
    out = tmp_path / "clean.csv"
    generate(Config(lines=5000, customers=300, bad_rate=0.0), out)
    con = duckdb.connect()
    bad = con.execute(
        f"""select count(*) from read_csv('{out}', all_varchar=true)
            where "Sales Channel" not in ('In-Store', 'Online', 'Distributor', 'Wholesale')
               or "_CustomerID" is null or try_cast("Order Quantity" as int) <= 0
               or try_cast("Discount Applied" as double) > 1
               or try_strptime("OrderDate", ['%d/%m/%Y', '%Y-%m-%d']) is null"""
    ).fetchall()[0][0]
    assert bad == 0


def test_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        generate(Config(lines=0, customers=10), tmp_path / "x.csv")
    with pytest.raises(SystemExit):
        generator.main(["--lines", "10", "--out", str(tmp_path / "x.csv"), "--bad-rate", "2"])


def test_file_forms_write_the_same_data(tmp_path):
    """--delimiter, --encoding and --decimal-comma change how the data is written, not what it is."""
    us, eu, excel = tmp_path / "us.csv", tmp_path / "eu.csv", tmp_path / "unicode.txt"
    generate(Config(lines=3000, customers=200, seed=4, bad_rate=0), us)
    generate(Config(lines=3000, customers=200, seed=4, bad_rate=0, delimiter=";", decimal_comma=True, encoding="cp1252"), eu)
    generate(Config(lines=3000, customers=200, seed=4, bad_rate=0, delimiter="\t", encoding="utf-16"), excel)
    excel_bytes = excel.read_bytes()
    assert excel_bytes[:2] == b"\xff\xfe" and excel_bytes.count(b"\xff\xfe") == 1  # one mark, at the start
    con = duckdb.connect()
    read = "select * from read_csv('{}', all_varchar = true, header = true, delim = '{}', encoding = '{}', quote = '\"')"
    us_rows = con.execute(read.format(us, ",", "utf-8")).fetchall()
    assert con.execute(read.format(excel, "\t", "utf-16")).fetchall() == us_rows
    eu_rows = con.execute(read.format(eu, ";", "latin-1")).fetchall()  # the generator writes no 0x80-0x9F byte
    assert len(us_rows) == len(eu_rows) == 3000

    def us_form(value: str) -> str:  # "1.001,18 $" -> "$1,001.18"; "0,075" -> "0.075"
        swapped = value.translate(str.maketrans({",": ".", ".": ","}))
        return "$" + swapped[:-2] if swapped.endswith(" $") else swapped

    assert [row[:13] + tuple(us_form(v) for v in row[13:]) for row in eu_rows] == us_rows


def test_malformed_rate_breaks_lines_as_hand_edits_do(tmp_path):
    out = tmp_path / "broken.csv"
    generate(Config(lines=20000, customers=500, seed=4, bad_rate=0, malformed_rate=0.01), out)
    text = out.read_text()
    lines = text.splitlines()[1:]
    assert "@@" not in text and len(lines) == 20000
    # a plain generated line has 15 separating commas outside quotes; "$1,001.18" adds one inside
    commas = [line.count(",") - sum(field.count(",") for field in line.split('"')[1::2]) for line in lines]
    short = sum(1 for c, line in zip(commas, lines) if c == 14 and not line.endswith('12"50'))
    long = sum(1 for line in lines if line.endswith(",extra"))
    stray = sum(1 for line in lines if line.endswith('12"50'))
    for count in (short, long, stray):
        assert 40 <= count <= 110, (short, long, stray)  # about a third of 1% of 20,000 each


def test_start_and_end_date_bound_the_order_days(tmp_path):
    out = tmp_path / "day.csv"
    generator.main(
        ["--lines", "3000", "--customers", "400", "--bad-rate", "0", "--quiet", "--out", str(out)]
        + ["--start-date", "2021-01-01", "--end-date", "2021-01-02"]
    )
    days = duckdb.sql(
        "select distinct coalesce(try_strptime(OrderDate, '%Y-%m-%d'), try_strptime(OrderDate, '%d/%m/%y'),"
        f" try_strptime(OrderDate, '%d/%m/%Y'))::date from read_csv('{out}', all_varchar = true)"
    ).fetchall()
    assert sorted(day for (day,) in days) == [dt.date(2021, 1, 1), dt.date(2021, 1, 2)]
    with pytest.raises(SystemExit):
        generator.main(["--lines", "10", "--out", str(out), "--start-date", "2021-01-02", "--end-date", "2021-01-01"])
