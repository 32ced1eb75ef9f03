"""Files as real tools write them: Excel on Windows, European locales, hand edits, gzip, xlsx.

Each test writes its files the way the tool in question does (bytes, not the csv module's clean
defaults where the tool differs) and asserts where every line landed: clean, with its values,
or quarantined with its reason and line number.
"""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import ONLINE_RETAIL_HEADER, RETAIL_CHAIN_HEADER, query, run_dbt, write_csv

from retail_segmentation.generator import Config, generate

pytestmark = pytest.mark.dbt

# A clean retail_chain line: 2 units at $20.00 with 10% off, so net revenue 36.00.
GOOD = {
    "OrderNumber": "SO - 1", "Sales Channel": "Online", "WarehouseCode": "WARE-001", "ProcuredDate": "1/5/18",
    "OrderDate": "15/6/18", "ShipDate": "20/06/2018", "DeliveryDate": "25/06/2018", "CurrencyCode": "USD",
    "_SalesTeamID": "1", "_CustomerID": "7", "_StoreID": "10", "_ProductID": "5", "Order Quantity": "2",
    "Discount Applied": "0.1", "Unit Cost": "$10.00", "Unit Price": "$20.00",
}  # fmt: skip


def fields(order: str, **overrides: str) -> list[str]:
    row = {**GOOD, "OrderNumber": order}
    row.update({k.replace("_", " ") if k not in GOOD else k: v for k, v in overrides.items()})
    return [row[c] for c in RETAIL_CHAIN_HEADER]


def text_line(values: list[str], delimiter: str = ",") -> str:
    """A line as a spreadsheet writes it: a field is quoted only when it holds the delimiter or a quote."""

    def field(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if delimiter in v or '"' in v or "\n" in v else v

    return delimiter.join(field(v) for v in values)


def landed(db: Path, source_file: Path | str) -> dict[int, str | None]:
    """line number -> quarantine reason (None: clean) for every line of one file."""
    clean = query(db, "select source_line_number from staging.stg_sales__order_lines where source_file = ?", [str(source_file)])
    refused = query(
        db,
        "select source_line_number, quarantine_reason from staging.stg_sales__quarantined_order_lines where source_file = ?",
        [str(source_file)],
    )
    out = {line: None for (line,) in clean}
    for line, reason in refused:
        assert line not in out, f"line {line} is both clean and quarantined"
        out[line] = reason
    return out


def build_staging(db: Path, vars: dict, expect_ok: bool = True):
    return run_dbt(["build", "--select", "staging"], db, vars, expect_ok=expect_ok)


# --- malformed lines ------------------------------------------------------------------------


def test_malformed_lines_are_quarantined_with_their_text(tmp_path):
    """Excel on Windows: a UTF-8 byte-order mark and CRLF. Then what hand edits leave: a short
    line, a long line, a stray quote, a repeated header, a blank line and, last, a quote that is
    never closed (it runs to the end of the file)."""
    header = text_line(RETAIL_CHAIN_HEADER)
    lines = [
        header,                                                         # 1
        text_line(fields("SO - 1")),                                    # 2 clean
        text_line(fields("SO - 2")[:-1]),                               # 3 one field short
        text_line(fields("SO - 3")) + ",extra",                         # 4 one field too many
        text_line(fields("SO - 4")[:-1]) + ',20"00',                    # 5 a stray quote
        text_line(fields("SO - 5", WarehouseCode="WARE\n001")),         # 6-7 a quoted line break: clean
        text_line(fields("SO - 6")),                                    # 8 clean
        "",                                                             # 9 blank
        header,                                                         # 10 a second export pasted below
        text_line(fields("SO - 7")),                                    # 11 clean
        'SO - 8,"Online,WARE-001,1/5/18',                               # 12 the quote is never closed
    ]  # fmt: skip
    path = tmp_path / "excel_windows.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(path), "raw_max_quarantined_share": 1})

    assert landed(db, path) == {
        2: None, 3: "malformed_line", 4: "malformed_line", 5: "malformed_line", 6: None, 8: None,
        10: "repeated_header", 11: None, 12: "malformed_line",
    }  # fmt: skip
    assert query(db, "select order_id, warehouse_code from staging.stg_sales__order_lines where source_line_number = 6") == [
        ("SO - 5", "WARE\n001")
    ]
    # the byte-order mark is not part of the first column: the order number was found
    assert query(db, "select count(*) from staging.stg_sales__order_lines where order_id like 'SO - %'") == [(4,)]
    raw = dict(query(db, "select source_line_number, raw_line from staging.stg_sales__quarantined_order_lines"))
    assert raw[3] == lines[2] and raw[4] == lines[3] and raw[5] == lines[4] and raw[12] == lines[10]
    assert query(db, "select source_line_count from staging.base_sales__order_lines where source_line_number = 6") == [(2,)]
    # every physical line is accounted for (the row-accounting test ran in the build; check it again)
    run_dbt(["test", "--select", "assert_every_raw_row_accounted_for"], db, {"raw_sales_path": str(path), "raw_max_quarantined_share": 1})


def test_a_file_mostly_malformed_stops_the_build(tmp_path):
    path = tmp_path / "broken.csv"
    good = text_line(fields("SO - 1"))
    path.write_text("\n".join([text_line(RETAIL_CHAIN_HEADER), good] + [good[:40]] * 3) + "\n")
    db = tmp_path / "retail.duckdb"
    result = build_staging(db, {"raw_sales_path": str(path)}, expect_ok=False)
    assert f"raw sales file '{path}' had 3 of its 4 lines refused (75.0%; malformed_line: 3)" in result.output


# --- delimiters, hints, line endings, compression, spreadsheets --------------------------------


def test_every_delimiter_line_ending_and_container(tmp_path):
    """One glob of seven files, each as a different tool writes the same two lines."""
    folder = tmp_path / "in"
    folder.mkdir()

    def rows(name: str) -> list[list[str]]:  # each file its own orders, so none repeats another's lines
        return [fields(f"SO - {name}-1"), fields(f"SO - {name}-2", OrderDate="16/6/18")]

    def write(name: str, delimiter: str, newline: str = "\n", first: list[str] = ()) -> Path:
        path = folder / name
        lines = [*first, text_line(RETAIL_CHAIN_HEADER, delimiter), *(text_line(r, delimiter) for r in rows(name))]
        text = newline.join(lines) + newline
        path.write_bytes(text.encode())
        return path

    comma = write("comma.csv", ",")
    semicolon = write("semicolon.csv", ";", "\r\n", first=["sep=;"])  # Excel's delimiter hint line
    tab = write("tab.tsv", "\t")
    pipe = write("pipe.txt", "|")
    # CRLF in the first half of the file, LF in the rest (two exports appended)
    mixed = folder / "mixed_newlines.csv"
    mixed.write_bytes(
        ("\r\n".join([text_line(RETAIL_CHAIN_HEADER), text_line(rows("mixed")[0])]) + "\r\n" + text_line(rows("mixed")[1]) + "\n").encode()
    )
    gz = folder / "gzipped.csv.gz"
    with gzip.open(gz, "wb") as handle:
        handle.write(("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, *rows("gz")]) + "\n").encode())
    xlsx = folder / "book.xlsx"
    write_xlsx(xlsx, RETAIL_CHAIN_HEADER, rows("xlsx"))
    copy = folder / "pipe_copy.txt"  # the same export saved twice
    shutil.copy(pipe, copy)

    db = tmp_path / "retail.duckdb"
    result = build_staging(db, {"raw_sales_path": str(folder / "*")})
    for path in [comma, tab, pipe, mixed, gz, xlsx]:
        assert landed(db, path) == {2: None, 3: None}, path
    assert landed(db, semicolon) == {3: None, 4: None}  # the sep= line is line 1
    assert landed(db, copy) == {2: "duplicate_line", 3: "duplicate_line"}
    assert query(db, "select source_file, delimiter from staging.base_sales__raw_files order by 1") == sorted(
        [
            (str(p), d)
            for p, d in [(comma, ","), (semicolon, ";"), (tab, "\t"), (pipe, "|"), (mixed, ","), (gz, ","), (xlsx, None), (copy, "|")]
        ]
    )
    assert query(db, "select count(*), sum(net_revenue), count(distinct order_date) from staging.stg_sales__order_lines") == [
        (14, Decimal("504.00"), 2)
    ]
    assert f"raw sales file '{semicolon}': delimiter ;" in result.output


def write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """A workbook as Excel saves it: numbers as numbers, dates as dates, the rest as text."""
    from openpyxl import Workbook

    def cell(column: str, value: str):
        if column in ("ProcuredDate", "OrderDate", "ShipDate", "DeliveryDate", "InvoiceDate") and value:
            return read_day_first(value)
        if column in ("Order Quantity", "_CustomerID", "_StoreID", "_ProductID", "_SalesTeamID", "Quantity"):
            return int(value)
        if column in ("Discount Applied", "Unit Cost", "Unit Price", "Price", "UnitPrice"):
            return float(value.replace("$", "").replace(",", ""))
        return value

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([cell(c, v) for c, v in zip(header, row)])
    book.save(path)


def read_day_first(value: str) -> dt.datetime:
    for fmt in ("%d/%m/%y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            pass
    raise ValueError(value)


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, warehouse",
    [("latin-1", "WARÉ-1004"), ("cp1252", "WARÉ-€1004"), ("utf-16", "WARÉ-€1004")],
)
def test_text_is_read_in_the_configured_encoding(tmp_path, encoding, warehouse):
    path = tmp_path / "sales.csv"
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 little-endian with a mark, tabs, CRLF
        text = "\r\n".join(text_line(r, "\t") for r in [RETAIL_CHAIN_HEADER, fields("SO - 1", WarehouseCode=warehouse)]) + "\r\n"
        path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    else:
        text = "\r\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, fields("SO - 1", WarehouseCode=warehouse)]) + "\r\n"
        path.write_bytes(text.encode(encoding))
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(path), "raw_encoding": encoding})
    assert query(db, "select source_line_number, warehouse_code, net_revenue from staging.stg_sales__order_lines") == [
        (2, warehouse, Decimal("36.00"))
    ]


def test_a_file_not_in_the_configured_encoding_stops_the_build_naming_it(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        ("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, fields("SO - 1", WarehouseCode="WARÉ-1004")]) + "\n").encode("latin-1")
    )
    db = tmp_path / "retail.duckdb"
    result = build_staging(db, {"raw_sales_path": str(path)}, expect_ok=False)
    assert not result.ok
    assert str(path) in result.output and "raw_encoding" in result.output, result.output[-3000:]
    assert "Traceback" not in result.output


# --- dates ----------------------------------------------------------------------------------


def online_line(invoice: str, when: str) -> list[str]:
    return [invoice, "22350", "CAT BOWL", "2", when, "2.10", "13085", "United Kingdom"]


VERSION_I_HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]


def test_title_lines_above_the_header_are_skipped_and_data_above_it_is_not(tmp_path):
    """ERP reports and spreadsheets put a title and blank lines above their table: the header is
    the first line naming every column with only such lines (one filled field at most) above it.
    Lines with more fields above a complete header are data: the build stops, naming line 1."""
    from openpyxl import Workbook

    folder = tmp_path / "in"
    folder.mkdir()
    report = folder / "report.csv"
    title = ["Sales report 2018;;;", "Exported 2018-07-01 by SAP;;;", ";;;"]
    lines = [*title, text_line(RETAIL_CHAIN_HEADER, ";"), *(text_line(fields(f"SO - {i}"), ";") for i in range(3))]
    report.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    workbook = folder / "report.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["Sales report 2018"])
    sheet.append([None, None])
    sheet.append(RETAIL_CHAIN_HEADER)
    for i in range(3, 5):
        sheet.append(fields(f"SO - {i}"))
    book.save(workbook)
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(folder / "report.*")})
    assert landed(db, report) == {5: None, 6: None, 7: None}
    assert landed(db, workbook) == {4: None, 5: None}
    headers = dict(query(db, "select source_file, header_line_number from staging.base_sales__raw_files"))
    assert headers == {str(report): 4, str(workbook): 3}

    misnamed = tmp_path / "misnamed.csv"
    lines = [text_line(["Order Nr", *RETAIL_CHAIN_HEADER[1:]]), text_line(fields("SO - 9")), text_line(RETAIL_CHAIN_HEADER)]
    misnamed.write_text("\n".join([*lines, text_line(fields("SO - 10"))]) + "\n")
    result = build_staging(tmp_path / "misnamed.duckdb", {"raw_sales_path": str(misnamed)}, expect_ok=False)
    assert not result.ok
    assert f"raw sales file '{misnamed}' is missing column(s) 'OrderNumber'" in result.output
    assert "header line 1: Order Nr," in result.output


def test_date_order_is_decided_per_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()

    def write(name: str, header: list[str], dates: list[str]) -> Path:
        path = folder / name
        lines = [text_line(header)] + [text_line(online_line(f"{name[:3]}{i}", d)) for i, d in enumerate(dates)]
        path.write_text("\n".join(lines) + "\n")
        return path

    # UCI Online Retail version I: its header names and two-digit years, month first
    version_i = write("version_i.csv", VERSION_I_HEADER, ["12/1/10 8:26", "12/13/10 9:00"])
    # the same data exported day first: 1/12/2010 is the 1st of December
    day_first = write("day_first.csv", ONLINE_RETAIL_HEADER, ["1/12/2010 8:26", "13/12/2010 9:00"])
    # no day above 12: the order is not known; 1/12/2010 is two days, 3/3/2010 one
    ambiguous = write("ambiguous.csv", ONLINE_RETAIL_HEADER, ["1/12/2010 8:26", "2/11/2010 9:00", "3/3/2010 9:00"])
    # mostly day first, one line only month first: that line is refused, never read swapped
    mixed = write("mixed.csv", ONLINE_RETAIL_HEADER, [f"{d}/12/2010 10:00" for d in range(13, 20)] + ["12/20/2010 10:00", "1/12/2010 8:00"])
    db = tmp_path / "retail.duckdb"
    vars = {"raw_sales_path": str(folder / "*.csv"), "raw_sales_format": "online_retail", "raw_max_quarantined_share": 1}
    result = build_staging(db, vars)

    def ordered(path: Path) -> list[tuple]:
        return query(
            db, "select source_line_number, ordered_at from staging.stg_sales__order_lines where source_file = ? order by 1", [str(path)]
        )

    assert ordered(version_i) == [(2, dt.datetime(2010, 12, 1, 8, 26)), (3, dt.datetime(2010, 12, 13, 9, 0))]
    assert ordered(day_first) == [(2, dt.datetime(2010, 12, 1, 8, 26)), (3, dt.datetime(2010, 12, 13, 9, 0))]
    assert landed(db, ambiguous) == {2: "ambiguous_date", 3: "ambiguous_date", 4: None}
    assert ordered(ambiguous) == [(4, dt.datetime(2010, 3, 3, 9, 0))]
    assert landed(db, mixed) == {**{line: None for line in range(2, 9)}, 9: "unparseable_date", 10: None}
    assert ordered(mixed)[-1] == (10, dt.datetime(2010, 12, 1, 8, 0))
    files = query(db, "select source_file, date_order, is_date_order_known from staging.base_sales__raw_files")
    orders = {row[0]: row[1:] for row in files}
    assert [orders[str(p)] for p in (version_i, day_first, mixed)] == [("mdy", True), ("dmy", True), ("dmy", True)]
    assert orders[str(ambiguous)][1] is False
    assert f"raw sales file '{ambiguous}': delimiter ,; dates of no known order (no date reads only one way" in result.output


def test_dutch_dash_dates_oracle_month_names_and_text_formulas_are_read(tmp_path):
    """Dutch Excel writes d-m-yyyy (with semicolons and decimal commas), Oracle's default DD-MON-YY,
    and some exports wrap every code in Excel's text formula: each line loads with its dates."""
    folder = tmp_path / "in"
    folder.mkdir()
    dutch = folder / "verkopen.csv"
    money = {"Unit Cost": "10,00", "Unit Price": "20,00", "Discount Applied": "0,1"}
    dutch_rows = [
        fields("NL - 1", ProcuredDate="1-5-2018", OrderDate="15-6-2018", ShipDate="20-6-2018", DeliveryDate="25-6-2018", **money),
        # reads two ways, but 15-6-2018 above tells the file's order: the 5th of June
        fields("NL - 2", ProcuredDate="1-5-2018", OrderDate="5-6-2018", ShipDate="7-6-2018", DeliveryDate="8-6-2018", **money),
    ]
    dutch.write_bytes(("\r\n".join(text_line(row, ";") for row in [RETAIL_CHAIN_HEADER, *dutch_rows]) + "\r\n").encode("cp1252"))
    oracle = folder / "orders_export.csv"
    oracle_rows = [
        fields(f'="SO-{i:05d}"', ProcuredDate="01-MAY-18", OrderDate=f"{day:02d}-JUN-18", ShipDate="20-JUN-18", DeliveryDate="25-JUN-18")
        for i, day in enumerate([3, 15])
    ]
    write_csv(oracle, RETAIL_CHAIN_HEADER, oracle_rows)
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(folder / "*.csv"), "raw_encoding": "cp1252"})
    assert landed(db, dutch) == {2: None, 3: None} and landed(db, oracle) == {2: None, 3: None}
    lines = query(db, "select order_id, procured_date, order_date, net_revenue from staging.stg_sales__order_lines order by 1")
    assert lines == [
        ("NL - 1", dt.date(2018, 5, 1), dt.date(2018, 6, 15), Decimal("36.00")),
        ("NL - 2", dt.date(2018, 5, 1), dt.date(2018, 6, 5), Decimal("36.00")),
        ("SO-00000", dt.date(2018, 5, 1), dt.date(2018, 6, 3), Decimal("36.00")),
        ("SO-00001", dt.date(2018, 5, 1), dt.date(2018, 6, 15), Decimal("36.00")),
    ]
    files = dict(query(db, "select source_file, date_order from staging.base_sales__raw_files where is_date_order_known"))
    assert files == {str(dutch): "dmy"}  # a month name reads one way in either order: it tells nothing


def test_month_names_as_european_excel_writes_them_are_read(tmp_path):
    """Excel writes a date cell formatted d-mmm-yy with its locale's month names: German
    15-Mrz-18 and 15-Dez-18, French 15-févr.-18 (abbreviations with a dot), Italian 3-mag-2019,
    each saved in Windows-1252. They read one way, as the English names do; a word that is no
    month is refused."""
    folder = tmp_path / "in"
    folder.mkdir()
    money = {"Unit Cost": "10,00", "Unit Price": "20,00", "Discount Applied": "0,1"}
    files = {
        "Umsätze.csv": [("DE - 1", "01-Mrz-18", "15-Mrz-18", "20-Mrz-18", "25-Mrz-18"), ("DE - 2", "", "15-Dez-18", "", "")],
        "ventes.csv": [("FR - 1", "1-févr.-18", "15-févr.-18", "20-févr.-18", "25-févr.-18"), ("FR - 2", "", "15 août 2018", "", "")],
        "vendite.csv": [("IT - 1", "", "3-mag-2019", "", ""), ("IT - 2", "", "3-xyz-2019", "", "")],
    }
    for name, rows in files.items():
        lines = [text_line(RETAIL_CHAIN_HEADER, ";")]
        for order, procured, ordered, shipped, delivered in rows:
            dates = dict(ProcuredDate=procured, OrderDate=ordered, ShipDate=shipped, DeliveryDate=delivered)
            lines.append(text_line(fields(order, **dates, **money), ";"))
        (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(folder / "*.csv"), "raw_encoding": "cp1252", "raw_max_quarantined_share": 1})
    lines = query(db, "select order_id, procured_date, order_date, ship_date from staging.stg_sales__order_lines order by 1")
    assert lines == [
        ("DE - 1", dt.date(2018, 3, 1), dt.date(2018, 3, 15), dt.date(2018, 3, 20)),
        ("DE - 2", None, dt.date(2018, 12, 15), None),
        ("FR - 1", dt.date(2018, 2, 1), dt.date(2018, 2, 15), dt.date(2018, 2, 20)),
        ("FR - 2", None, dt.date(2018, 8, 15), None),
        ("IT - 1", None, dt.date(2019, 5, 3), None),
    ]
    assert landed(db, folder / "vendite.csv") == {2: None, 3: "unparseable_date"}


def test_a_file_whose_dates_never_tell_the_order_stops_the_build_until_it_is_set(tmp_path):
    """A daily export of the 5th of March, day first: every date reads two ways (5/3 or 3/5). It
    is never read in the layout's order (retail_chain: day first; the same file month first
    would load swapped). The build stops, naming the file and raw_date_order; set, it loads."""
    path = tmp_path / "sales_2021-03-05.csv"
    dates = dict(ProcuredDate="01/03/21", OrderDate="05/03/21", ShipDate="08/03/21", DeliveryDate="10/03/21")
    rows = [fields(f"SO - {i}", **dates) for i in range(4)]
    write_csv(path, RETAIL_CHAIN_HEADER, rows)
    db = tmp_path / "retail.duckdb"
    result = build_staging(db, {"raw_sales_path": str(path)}, expect_ok=False)
    assert not result.ok
    assert f"raw sales file '{path}' has 4 of its 4 lines with dates that read as two different days" in result.output
    assert "Set raw_date_order to dmy or mdy" in result.output
    # loaded as refused lines, ambiguous_date comes first: read day first, 5 March is before
    # raw_min_order_date here, but that is only one of the line's two days
    build_staging(db, {"raw_sales_path": str(path), "raw_max_quarantined_share": 1, "raw_min_order_date": "2021-04-01"})
    reasons = query(db, "select distinct quarantine_reasons from staging.stg_sales__quarantined_order_lines")
    assert reasons == [("ambiguous_date,implausible_date",)]
    build_staging(db, {"raw_sales_path": str(path), "raw_date_order": "mdy"})
    assert query(db, "select distinct order_date from staging.stg_sales__order_lines") == [(dt.date(2021, 5, 3),)]
    build_staging(db, {"raw_sales_path": str(path), "raw_date_order": "dmy"})
    assert query(db, "select distinct order_date from staging.stg_sales__order_lines") == [(dt.date(2021, 3, 5),)]


def test_a_hand_written_date_in_a_file_of_iso_dates_is_refused_not_guessed(tmp_path):
    """ISO dates never tell the order, and need not: only the line someone typed 04/03/2021 into
    is refused; 05/05/2021 is one day either way."""
    path = tmp_path / "sales.csv"
    iso = dict(ProcuredDate="2021-02-20", ShipDate="2021-03-08", DeliveryDate="2021-03-10")
    rows = [fields(f"SO - {i}", OrderDate="2021-03-05", **iso) for i in range(8)]
    rows += [fields("SO - 8", OrderDate="04/03/2021", **iso), fields("SO - 9", OrderDate="05/05/2021", **iso)]
    write_csv(path, RETAIL_CHAIN_HEADER, rows)
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(path)})
    assert landed(db, path) == {**{line: None for line in range(2, 10)}, 10: "ambiguous_date", 11: None}
    assert query(db, "select raw_order_date from staging.stg_sales__quarantined_order_lines") == [("04/03/2021",)]
    # neither of its two days is given as its date
    assert query(db, "select order_date from staging.base_sales__order_lines where quarantine_reasons is not null") == [(None,)]


def test_timestamps_with_fractions_zones_or_a_glued_pm_are_read_as_written(tmp_path):
    """Databases and web shops write a fraction of a second and a time zone after the time (SQL
    Server 2010-12-01 08:26:00.000, Postgres +00, JavaScript .000Z, Shopify -0500), and US
    spreadsheets glue PM to the time; a workbook's date cells carry milliseconds when their times
    came from =NOW() or a database. Each is its time as written, the fraction and the zone dropped,
    never moved to another zone. A zone named otherwise (CET) is not read, and a 12-hour time takes
    no zone."""
    folder = tmp_path / "in"
    folder.mkdir()
    written = {
        "sql_server.csv": ["2010-12-01 08:26:00.000", "2010-12-13 23:59:59.997"],
        "postgres.csv": ["2010-12-01 08:26:00+00", "2010-12-13 23:59:59.5+01"],
        "web_shop.csv": ["2010-12-01T08:26:00.000Z", "2010-12-13T23:59:59Z"],
        "shopify.csv": ["2010-12-01 08:26:00 -0500", "2010-12-13 23:59:59 +05:30"],
        "excel_us.csv": ["12/1/2010 8:26AM", "12/13/2010 11:59:59PM"],
        "named_zones.csv": ["2010-12-01 08:26:00 UTC", "2010-12-13 23:59:59 CET", "12/13/2010 11:59 PM Z"],
    }
    for name, dates in written.items():
        lines = [text_line(ONLINE_RETAIL_HEADER)] + [text_line(online_line(f"{name[:3]}{i}", d)) for i, d in enumerate(dates)]
        (folder / name).write_text("\r\n".join(lines) + "\r\n")
    # a workbook whose times came from =NOW() or a database: date cells with milliseconds
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(ONLINE_RETAIL_HEADER)
    for i, when in enumerate([dt.datetime(2010, 12, 1, 8, 26), dt.datetime(2010, 12, 13, 23, 59, 59, 136000)]):
        book.active.append([f"xl{i}", "22350", "CAT BOWL", 2, when, 2.1, 13085, "United Kingdom"])
    book.save(folder / "pos_export.xlsx")
    # an experimentation platform's assignments, in UTC with milliseconds
    experiments = tmp_path / "assignments.csv"
    experiments.write_text("customer_id,experiment_id,variant,assigned_at\n13085,spring,control,2010-11-30T22:15:03.120Z\n")
    db = tmp_path / "retail.duckdb"
    vars = {
        "raw_sales_path": str(folder / "*"), "raw_sales_format": "online_retail", "raw_max_quarantined_share": 1,
        "raw_experiments_path": str(experiments),
    }  # fmt: skip
    build_staging(db, vars)
    assigned = query(db, "select customer_id, assigned_at from staging.stg_sales__experiment_assignments")
    assert assigned == [("13085", dt.datetime(2010, 11, 30, 22, 15, 3))]
    expected = [(2, dt.datetime(2010, 12, 1, 8, 26)), (3, dt.datetime(2010, 12, 13, 23, 59, 59))]
    ordered = "select source_line_number, ordered_at from staging.stg_sales__order_lines where source_file = ? order by 1"
    for name in ["sql_server.csv", "postgres.csv", "web_shop.csv", "shopify.csv", "excel_us.csv", "pos_export.xlsx"]:
        path = folder / name
        assert landed(db, path) == {2: None, 3: None}, name
        assert query(db, ordered, [str(path)]) == expected, name
    assert landed(db, folder / "named_zones.csv") == {2: None, 3: "unparseable_date", 4: "unparseable_date"}
    orders = dict(query(db, "select source_file, date_order from staging.base_sales__raw_files where is_date_order_known"))
    assert orders == {str(folder / "excel_us.csv"): "mdy"}  # 12/13/2010 tells month first


def test_an_explicit_date_order_the_file_contradicts_stops_the_build(tmp_path):
    path = tmp_path / "day_first.csv"
    dates = [f"{d}/12/2010 10:00" for d in range(13, 20)]
    path.write_text("\n".join([text_line(ONLINE_RETAIL_HEADER)] + [text_line(online_line(f"5{i}", d)) for i, d in enumerate(dates)]) + "\n")
    db = tmp_path / "retail.duckdb"
    vars = {"raw_sales_path": str(path), "raw_sales_format": "online_retail", "raw_date_order": "mdy", "raw_max_quarantined_share": 1}
    result = build_staging(db, vars, expect_ok=False)
    assert f"raw sales file '{path}' looks day first: 7 lines have dates that read only day first" in result.output
    assert "set raw_date_order to dmy" in result.output


def test_xlsx_online_retail_as_uci_publishes_it(tmp_path):
    """UCI publishes Online Retail as .xlsx, version I headers, dates as date cells."""
    path = tmp_path / "Online Retail.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(VERSION_I_HEADER)
    sheet.append(
        ["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 6, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850.0, "United Kingdom"]
    )
    sheet.append(["C536379", "D", "Discount", -1, dt.datetime(2010, 12, 1, 9, 41), 27.5, 14527.0, "United Kingdom"])
    sheet.append(["536381", "22719", "GINGHAM", 1, dt.datetime(2010, 12, 1, 9, 41), "n/a", 15311.0, "United Kingdom"])
    book.save(path)
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(path), "raw_sales_format": "online_retail", "raw_max_quarantined_share": 1})
    assert landed(db, path) == {2: None, 3: None, 4: "non_numeric_money"}
    assert query(
        db, "select source_line_number, customer_id, quantity, unit_price, ordered_at from staging.stg_sales__order_lines order by 1"
    ) == [
        (2, "17850", 6, Decimal("2.5500"), dt.datetime(2010, 12, 1, 8, 26)),
        (3, "14527", -1, Decimal("27.5000"), dt.datetime(2010, 12, 1, 9, 41)),
    ]


def test_a_workbook_with_lines_in_a_second_sheet_stops_the_build_naming_its_sheets(tmp_path):
    """UCI publishes Online Retail II as one workbook with a sheet per year. A workbook is read
    from its first sheet; the second year's lines would be lost without a word, so such a
    workbook stops the build, naming the sheets, and the lines built before stay."""
    from openpyxl import Workbook

    path = tmp_path / "online_retail_II.xlsx"
    book = Workbook()
    book.active.title = "Year 2009-2010"
    book.active.append(ONLINE_RETAIL_HEADER)
    book.active.append(["489434", "85048", "15CM CHRISTMAS GLASS BALL", 12, dt.datetime(2009, 12, 1, 7, 45), 6.95, 13085.0, "UK"])
    book.create_sheet("Notes")  # an empty sheet is no data
    book.save(path)
    db = tmp_path / "retail.duckdb"
    vars = {"raw_sales_path": str(path), "raw_sales_format": "online_retail"}
    build_staging(db, vars)
    assert landed(db, path) == {2: None}

    second = book.create_sheet("Year 2010-2011", 1)
    second.append(ONLINE_RETAIL_HEADER)
    second.append(["539993", "22386", "JUMBO BAG PINK POLKADOT", 10, dt.datetime(2011, 1, 4, 10, 0), 1.95, 13313.0, "UK"])
    book.save(path)
    result = build_staging(db, vars, expect_ok=False)
    assert (
        f"raw sales file '{path}' has data in the sheets Year 2009-2010, Year 2010-2011, and a workbook is read from its first"
        " sheet (Year 2009-2010) only." in result.output
    )
    assert landed(db, path) == {2: None}


# --- numbers --------------------------------------------------------------------------------


def test_numbers_must_match_the_file_convention_strictly(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    point = folder / "point.csv"
    point_rows = [fields(f"SO - {i}", Unit_Price=p) for i, p in enumerate(
        ["$1,001.18", "1001.18", "$12,345.67", "1,234.50", "1.001,18", "12,50", "1,00,1.18", "1.0012"]
    )]  # fmt: skip
    point.write_text("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, *point_rows]) + "\n")
    comma = folder / "comma.csv"
    comma_rows = [fields(f"SO - {i}", Unit_Price=p, Discount_Applied="0,1", Unit_Cost="10,00") for i, p in enumerate(
        ["1.001,18 $", "1001,18", "12.345,67", "1 234,50", "1,001.18", "1.0012", "12,5,0"]
    )]  # fmt: skip
    # French Excel: a no-break or narrow no-break space between the groups and before a sign or a percent
    comma_rows += [
        fields("SO - 7", Unit_Price="1\u202f234,50\u00a0$", Discount_Applied="0,1", Unit_Cost="10,00"),
        fields("SO - 8", Unit_Price="1\u00a0234,50", Discount_Applied="7,5\u202f%", Unit_Cost="10,00"),
    ]
    comma.write_text("\n".join(text_line(r, ";") for r in [RETAIL_CHAIN_HEADER, *comma_rows]) + "\n")
    # Swiss Excel: an apostrophe (or U+2019) between the groups, a decimal point
    swiss = folder / "swiss.csv"
    swiss_rows = [fields(f"SO - {i}", Unit_Price=p) for i, p in enumerate(
        ["1'234.50", "1\u2019234.50", "12'345'678.90", "1'23.50", "1'234,50", "1'234'5.00"]
    )]  # fmt: skip
    swiss.write_text("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, *swiss_rows]) + "\n")
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(folder / "*.csv"), "raw_max_quarantined_share": 1})
    prices = dict(query(db, "select source_file || ':' || source_line_number, unit_price from staging.stg_sales__order_lines"))
    assert {k.rsplit("/", 1)[1]: v for k, v in prices.items()} == {
        "point.csv:2": Decimal("1001.1800"), "point.csv:3": Decimal("1001.1800"), "point.csv:4": Decimal("12345.6700"),
        "point.csv:5": Decimal("1234.5000"),
        "comma.csv:2": Decimal("1001.1800"), "comma.csv:3": Decimal("1001.1800"), "comma.csv:4": Decimal("12345.6700"),
        "comma.csv:5": Decimal("1234.5000"), "point.csv:9": Decimal("1.0012"),
        "comma.csv:9": Decimal("1234.5000"), "comma.csv:10": Decimal("1234.5000"),
        "swiss.csv:2": Decimal("1234.5000"), "swiss.csv:3": Decimal("1234.5000"), "swiss.csv:4": Decimal("12345678.9000"),
    }  # fmt: skip
    assert landed(db, point) == {
        2: None,
        3: None,
        4: None,
        5: None,
        6: "non_numeric_money",
        7: "non_numeric_money",
        8: "non_numeric_money",
        9: None,
    }
    assert landed(db, comma) == {
        **{2: None, 3: None, 4: None, 5: None, 6: "non_numeric_money", 7: "non_numeric_money", 8: "non_numeric_money"},
        **{9: None, 10: None},
    }
    assert query(
        db, "select discount_rate from staging.stg_sales__order_lines where order_id = 'SO - 8' and source_file like '%comma.csv'"
    ) == [(Decimal("0.0750"),)]
    assert landed(db, swiss) == {2: None, 3: None, 4: None, 5: "non_numeric_money", 6: "non_numeric_money", 7: "non_numeric_money"}
    assert dict(query(db, "select source_file, decimal_separator from staging.base_sales__raw_files")) == {
        str(point): ".", str(comma): ",", str(swiss): ".",
    }  # fmt: skip


def write_typed_parquet(path: Path, order_prefix: str, rows: int, unit_cost: str) -> Path:
    """A retail_chain Parquet file of `rows` lines with typed columns: dates DATE, ids and
    quantity integers, discount DECIMAL(9, 3) 0.05, unit price DECIMAL(18, 3) 1.25 and
    `unit_cost` (a DuckDB expression)."""
    columns = {
        "OrderNumber": f"'{order_prefix}' || i", "Sales Channel": "'Online'", "WarehouseCode": "'WARE-001'",
        "ProcuredDate": "date '2018-05-01'", "OrderDate": "date '2018-06-15'", "ShipDate": "date '2018-06-20'",
        "DeliveryDate": "date '2018-06-25'", "CurrencyCode": "'USD'", "_SalesTeamID": "1", "_CustomerID": "7",
        "_StoreID": "10", "_ProductID": "5", "Order Quantity": "2", "Discount Applied": "cast(0.05 as decimal(9, 3))",
        "Unit Cost": unit_cost, "Unit Price": "cast(1.25 as decimal(18, 3))",
    }  # fmt: skip
    select = ", ".join(f'{value} as "{name}"' for name, value in columns.items())
    duckdb.sql(f"copy (select {select} from range({rows}) as t(i)) to '{path}' (format parquet)")
    return path


def test_a_number_that_reads_two_ways_in_a_file_that_never_tells_is_refused_not_guessed(tmp_path):
    """Whole euro amounts, tab-delimited, as a German export writes them: 1.250 is 1250 with a
    decimal comma and 1.25 with a point, and no number of the file reads only one way. Such a
    number is ambiguous_number; 950 or 0 read the same either way and load. A file of such
    numbers stops the build saying to set raw_decimal_separator; set, it loads."""
    plain = dict(Discount_Applied="0", Unit_Cost="800", Order_Quantity="2")

    def write(name: str, prices: list[str]) -> Path:
        path = tmp_path / name
        rows = [fields(f"SO - {i}", Unit_Price=price, **plain) for i, price in enumerate(prices)]
        path.write_text("\n".join(text_line(r, "\t") for r in [RETAIL_CHAIN_HEADER, *rows]) + "\n")
        return path

    one = write("one.csv", ["950", "950", "950", "950", "1.250"])
    db = tmp_path / "one.duckdb"
    build_staging(db, {"raw_sales_path": str(one)})
    assert landed(db, one) == {2: None, 3: None, 4: None, 5: None, 6: "ambiguous_number"}
    assert query(db, "select distinct unit_price from staging.stg_sales__order_lines") == [(Decimal("950.0000"),)]
    assert query(db, "select is_decimal_separator_known from staging.base_sales__raw_files") == [(False,)]

    every = write("every.csv", ["1.250", "2.500", "1.250", "3.750"])
    db = tmp_path / "every.duckdb"
    result = build_staging(db, {"raw_sales_path": str(every)}, expect_ok=False)
    assert not result.ok
    assert f"raw sales file '{every}' has 4 of its 4 lines with numbers that read as two different numbers" in result.output
    assert "Set raw_decimal_separator to '.' or ','" in result.output
    build_staging(db, {"raw_sales_path": str(every), "raw_decimal_separator": ","})
    assert query(db, "select sum(unit_price) from staging.stg_sales__order_lines") == [(Decimal("8750.0000"),)]

    # typed Parquet columns of scale 3 write 1.250 too, but with a point: read so
    typed = write_typed_parquet(tmp_path / "typed.parquet", "SO - ", 3, unit_cost="cast(0.8 as decimal(18, 3))")
    db = tmp_path / "typed.duckdb"
    build_staging(db, {"raw_sales_path": str(typed)})
    assert query(db, "select distinct unit_price, discount_rate from staging.stg_sales__order_lines") == [
        (Decimal("1.2500"), Decimal("0.0500"))
    ]


def write_typed_workbook(path: Path, prices: list) -> Path:
    """A retail_chain workbook as Excel saves it: quantities, costs and discounts as number
    cells, dates as date cells, and each line's unit price as given: a float is a number cell,
    a str a text cell (typed or pasted as text, as Excel keeps it in the user's locale)."""
    from openpyxl import Workbook

    dates = {"ProcuredDate": dt.datetime(2018, 5, 1), "OrderDate": dt.datetime(2018, 6, 15),
             "ShipDate": dt.datetime(2018, 6, 20), "DeliveryDate": dt.datetime(2018, 6, 25)}  # fmt: skip
    numbers = {"_SalesTeamID": 1, "_CustomerID": 7, "_StoreID": 10, "_ProductID": 5, "Order Quantity": 2,
               "Discount Applied": 0.05, "Unit Cost": 8.5}  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.append(RETAIL_CHAIN_HEADER)
    for i, price in enumerate(prices):
        row = {**dict(zip(RETAIL_CHAIN_HEADER, fields(f"SO - {i}"))), **dates, **numbers, "Unit Price": price}
        sheet.append([row[c] for c in RETAIL_CHAIN_HEADER])
    book.save(path)
    return path


def test_a_workbooks_text_numbers_tell_its_separator_and_its_typed_numbers_read_as_typed(tmp_path):
    """A German workbook: most prices are number cells, a few were typed or pasted as text in
    the German way. Number cells are the same in every locale (20.5 is twenty and a half); the
    text cells tell the decimal comma (1,25 reads only so), and each text price is read with it:
    1,250 is 1.25 and 1.250 is 1250, not the other way round as a point would read them."""
    texts = {"1,25": Decimal("1.25"), "1.250,00": Decimal("1250"), "1,250": Decimal("1.25"), "1.250": Decimal("1250")}
    path = write_typed_workbook(tmp_path / "Verkäufe.xlsx", [20.5] * 8 + list(texts))
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(path)})
    assert set(landed(db, path).values()) == {None}
    prices = dict(query(db, "select order_id, unit_price from staging.stg_sales__order_lines"))
    assert prices == {**{f"SO - {i}": Decimal("20.5") for i in range(8)}, **{f"SO - {8 + i}": v for i, v in enumerate(texts.values())}}
    assert query(db, "select distinct unit_cost, discount_rate from staging.stg_sales__order_lines") == [(Decimal("8.5"), Decimal("0.05"))]
    assert query(db, "select decimal_separator from staging.base_sales__raw_files") == [(",",)]

    # no text cell tells: a text 1.250 is 1250 or 1.25, and is refused, not read with a point;
    # the number cells load, 1.125 too, whose text alone would read two ways
    path = write_typed_workbook(tmp_path / "Juni.xlsx", [20.5, 1.125, 20.5, 20.5, "1.250"])
    db = tmp_path / "june.duckdb"
    build_staging(db, {"raw_sales_path": str(path)})
    assert landed(db, path) == {2: None, 3: None, 4: None, 5: None, 6: "ambiguous_number"}
    assert query(db, "select order_id, unit_price from staging.stg_sales__order_lines where order_id = 'SO - 1'") == [
        ("SO - 1", Decimal("1.125"))
    ]
    assert query(db, "select is_decimal_separator_known from staging.base_sales__raw_files") == [(False,)]


def test_typed_numbers_are_read_as_typed_whatever_raw_decimal_separator_says(tmp_path):
    """raw_decimal_separator applies to every file of raw_sales_path. Set to ',' for a folder of
    German CSV exports, it must not change the numbers of a Parquet file's DECIMAL columns
    (1.250 at scale 3 is 1.25) or a workbook's number cells (20.5)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    german = folder / "a.csv"
    line = fields("SO - A1", Unit_Price="1.250,00", Unit_Cost="8,50", Discount_Applied="0,05")
    german.write_text("\n".join(text_line(r, ";") for r in [RETAIL_CHAIN_HEADER, line]) + "\n")
    workbook = write_typed_workbook(folder / "b.xlsx", [20.5])
    typed = write_typed_parquet(folder / "c.parquet", "SO - P", 1, unit_cost="8.5::double")
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(folder / "*"), "raw_decimal_separator": ","})
    for path in [german, workbook, typed]:
        assert set(landed(db, path).values()) == {None}, path
    assert query(db, "select order_id, unit_price, unit_cost, discount_rate from staging.stg_sales__order_lines order by 1") == [
        ("SO - 0", Decimal("20.5"), Decimal("8.5"), Decimal("0.05")),
        ("SO - A1", Decimal("1250"), Decimal("8.5"), Decimal("0.05")),
        ("SO - P0", Decimal("1.25"), Decimal("8.5"), Decimal("0.05")),
    ]


def test_columns_in_any_order_odd_values_and_a_2mb_field(tmp_path):
    """Columns reversed with an extra one, no newline after the last line, a 2 MB field, money
    that is not a plain number, and ids written three ways."""
    rows = [fields("SO - 1"), fields("SO - 2", WarehouseCode="W" * 2_000_000), fields("SO - 3")]
    odd_money = ["(5.00)", "NaN", "inf", "1e3", "-inf", " 20.00 "]
    rows += [fields(f"SO - {10 + i}", Unit_Price=m) for i, m in enumerate(odd_money)]
    rows += [fields("SO - 20", _CustomerID=" 7 "), fields("SO - 21", _CustomerID="7.0")]
    # 7,0 and 7.00 are 7 written as floats; 7.000 could be 7 or 7000 (thousands grouped): kept as written
    rows += [fields("SO - 22", _CustomerID="7,0"), fields("SO - 23", _CustomerID="7.00"), fields("SO - 24", _CustomerID="7.000")]
    header = list(reversed(RETAIL_CHAIN_HEADER)) + ["Notes"]
    lines = [text_line(header)] + [text_line(list(reversed(r)) + ["a note"]) for r in rows]
    path = tmp_path / "reordered.csv"
    path.write_text("\n".join(lines))
    db = tmp_path / "retail.duckdb"
    build_staging(db, {"raw_sales_path": str(path), "raw_max_quarantined_share": 1})
    assert landed(db, path) == {
        **{2: None, 3: None, 4: None, **{5 + i: "non_numeric_money" for i in range(5)}, 10: None, 11: None, 12: None},
        **{13: None, 14: None, 15: None},
    }
    assert query(
        db,
        "select source_line_number, customer_id, unit_price, length(warehouse_code) from staging.stg_sales__order_lines"
        " where source_line_number <= 12 order by 1",
    ) == [(line, "7", Decimal("20.0000"), 2_000_000 if line == 3 else 8) for line in (2, 3, 4, 10, 11, 12)]
    assert query(
        db, "select customer_id from staging.stg_sales__order_lines where source_line_number > 12 order by source_line_number"
    ) == [
        ("7",),
        ("7",),
        ("7.000",),
    ]


def test_a_european_export_equals_its_us_twin_to_the_cent(tmp_path):
    """The same generated data as US Excel saves it and as German Excel on Windows does
    (semicolons, decimal commas, Windows-1252): the same clean lines and the same marts."""
    us, eu = tmp_path / "us" / "sales.csv", tmp_path / "eu" / "sales.csv"
    generate(Config(lines=3000, customers=200, seed=11), us)
    generate(Config(lines=3000, customers=200, seed=11, delimiter=";", decimal_comma=True, encoding="cp1252"), eu)
    assert us.read_bytes() != eu.read_bytes() and b";" in eu.read_bytes().split(b"\n")[1]
    select = [
        "build",
        "--select",
        "+fct_monthly_sales",
        "+fct_customer_rfm",
        "+fct_channel_performance",
        "stg_sales__quarantined_order_lines",
        "--exclude",
        "resource_type:unit_test",
        "--indirect-selection",
        "cautious",
    ]
    run_dbt(select, tmp_path / "us.duckdb", {"raw_sales_path": str(us)})
    run_dbt(select, tmp_path / "eu.duckdb", {"raw_sales_path": str(eu), "raw_encoding": "cp1252"})
    checks = {
        "lines": """select source_line_number, order_id, customer_id, quantity, unit_price, unit_cost, discount_rate,
                           net_revenue, cost_amount, order_date from staging.stg_sales__order_lines order by 1""",
        "refused": "select source_line_number, quarantine_reasons from staging.stg_sales__quarantined_order_lines order by 1",
        "monthly": "select * from fct_monthly_sales order by all",
        "rfm": "select * from fct_customer_rfm order by all",
        "channels": "select * from fct_channel_performance order by all",
    }
    for name, sql in checks.items():
        us_rows, eu_rows = query(tmp_path / "us.duckdb", sql), query(tmp_path / "eu.duckdb", sql)
        assert us_rows and us_rows == eu_rows, name
    total = query(tmp_path / "eu.duckdb", "select sum(net_revenue) from fct_monthly_sales")[0][0]
    assert total == query(tmp_path / "us.duckdb", "select sum(net_revenue) from staging.stg_sales__order_lines")[0][0]
    assert query(tmp_path / "eu.duckdb", "select decimal_separator, delimiter from staging.base_sales__raw_files") == [(",", ";")]


# --- currencies -----------------------------------------------------------------------------


def test_lines_in_other_currencies_are_converted_or_quarantined(tmp_path):
    rates = tmp_path / "fx.csv"
    rates.write_text("currency_code,rate_date,rate_to_reporting\nEUR,2018-01-01,1.2\nEUR,2018-06-01,1.1\n")
    only_order = {"ProcuredDate": "", "ShipDate": "", "DeliveryDate": ""}
    rows = [
        fields("SO - 1"),                                                          # 2 USD ($ amounts)
        fields("SO - 2", CurrencyCode="EUR", Unit_Price="20.00 €", Unit_Cost="€10.00"),  # 3 EUR on 15/6/18: 1.1
        fields("SO - 3", CurrencyCode="eur", OrderDate="1/3/18", Unit_Price="20.00", Unit_Cost="10.00", **only_order),
                                                                                   # 4 EUR on 1/3/18: 1.2
        fields("SO - 4", CurrencyCode="GBP", Unit_Price="£20.00", Unit_Cost="£10.00"),  # 5 no GBP rate
        fields("SO - 5", CurrencyCode=""),                                         # 6 blank: reporting currency
        fields("SO - 6", CurrencyCode="EUR", OrderDate="1/12/17", Unit_Price="20.00", Unit_Cost="10.00", **only_order),
                                                                                   # 7 before the first EUR rate
        # a currency sign that names another currency than the line's: which is it?
        fields("SO - 7", Unit_Price="€20.00"),                                     # 8 € on a USD line
        fields("SO - 8", CurrencyCode="EUR", Unit_Cost="10.00"),                   # 9 $ on a EUR line
        fields("SO - 9", CurrencyCode="", Unit_Price="£20.00", Unit_Cost="10.00"), # 10 £ on a blank: USD
        fields("SO - 10", CurrencyCode="CAD"),                                     # 11 $ is a dollar: no CAD rate
    ]  # fmt: skip
    path = tmp_path / "sales.csv"
    path.write_text("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, *rows]) + "\n")
    db = tmp_path / "retail.duckdb"
    vars = {"raw_sales_path": str(path), "raw_fx_rates_path": str(rates), "raw_max_quarantined_share": 1}
    run_dbt(
        [
            "build",
            "--select",
            "+fct_monthly_sales",
            "+fct_sales",
            "stg_sales__quarantined_order_lines",
            "--exclude",
            "resource_type:unit_test",
            "--indirect-selection",
            "cautious",
        ],
        db,
        vars,
    )
    assert landed(db, path) == {
        **{2: None, 3: None, 4: None, 5: "missing_fx_rate", 6: None, 7: "missing_fx_rate"},
        **{8: "currency_sign_mismatch", 9: "currency_sign_mismatch", 10: "currency_sign_mismatch", 11: "missing_fx_rate"},
    }
    assert query(
        db,
        """select order_id, currency_code, unit_price, net_revenue, fx_rate_to_reporting, original_unit_price, original_net_revenue
           from fct_sales order by order_id""",
    ) == [
        ("SO - 1", "USD", Decimal("20.0000"), Decimal("36.00"), None, None, None),
        ("SO - 2", "EUR", Decimal("22.0000"), Decimal("39.60"), Decimal("1.10000000"), Decimal("20.0000"), Decimal("36.00")),
        ("SO - 3", "EUR", Decimal("24.0000"), Decimal("43.20"), Decimal("1.20000000"), Decimal("20.0000"), Decimal("36.00")),
        ("SO - 5", "USD", Decimal("20.0000"), Decimal("36.00"), None, None, None),
    ]  # fmt: skip
    assert query(db, "select sum(net_revenue) from fct_monthly_sales") == [(Decimal("154.80"),)]


# --- the customers file ---------------------------------------------------------------------


def test_customer_rows_with_bad_values_are_quarantined_not_nulled(tmp_path):
    sales = tmp_path / "sales.csv"
    sales.write_text("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, fields("SO - 1")]) + "\n")
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,age,gender,income,country\n"
        "1,40,Female,52000,Germany\n"
        " 2.0 ,35,Male,,France\n"  # an id written as a float, a blank income: clean
        "3,-5,Male,41000,Spain\n"
        "4,300,Female,41000,Spain\n"
        "5,abc,Female,41000,Spain\n"
        "6,,Male,41000,Spain\n"
        "7,41.5,Male,41000,Spain\n"
        "8,50,Male,lots,Spain\n"
        "9,50,Male,-1,Spain\n"
        "10,20,Male,30000,Spain\n"
        "10,21,Male,30000,Spain\n"  # the same id twice: neither row can be trusted
        ",33,Male,30000,Spain\n"
        "11,44,Female,52.000,Spain\n"  # 52 with a decimal point, 52,000 with a decimal comma
        '12,44,Female,"41,5",Spain\n'  # a decimal comma
        "13,30, f ,30000,Spain\n"  # a gender code, in any case: Female
        "14,30,,30000,Spain\n"  # no gender given: clean, NULL
        "15,30,yes,30000,Spain\n"
        "1.23457E+11,30,Male,30000,Spain\n"  # Excel's long id: its last digits are lost
    )
    db = tmp_path / "retail.duckdb"
    vars = {"raw_sales_path": str(sales), "raw_customers_path": str(customers), "raw_max_quarantined_share": 1}
    build_staging(db, vars)
    assert query(db, "select customer_id, gender, age, income from staging.stg_sales__customers order by 1") == [
        ("1", "Female", 40, Decimal("52000.00")), ("13", "Female", 30, Decimal("30000.00")),
        ("14", None, 30, Decimal("30000.00")), ("2", "Male", 35, None),
    ]  # fmt: skip
    refused = "select coalesce(raw_customer_id, ''), quarantine_reasons from staging.stg_sales__quarantined_customers"
    assert sorted(query(db, refused)) == sorted([
        ("3", "age_out_of_range"), ("4", "age_out_of_range"), ("5", "non_numeric_age"), ("6", "missing_age"),
        ("7", "non_numeric_age"), ("8", "non_numeric_income"), ("9", "negative_income"),
        ("10", "duplicate_customer_id"), ("10", "duplicate_customer_id"), ("", "missing_customer_id"),
        ("11", "ambiguous_income"), ("12", "ambiguous_income"), ("15", "unknown_gender"),
        ("1.23457E+11", "scientific_notation_id"),
    ])  # fmt: skip
    # at the default share (0.2) a customers file this bad stops the build, naming it
    result = build_staging(db, {**vars, "raw_max_quarantined_share": 0.2}, expect_ok=False)
    assert f"customers file '{customers}' had 14 of its 18 rows refused (77.8%)" in result.output
    # told the separator (which the sales files then follow too), the same file reads them one way
    comma_sales = tmp_path / "comma_sales.csv"
    comma_line = fields("SO - 1", Discount_Applied="0,1", Unit_Cost="10,00", Unit_Price="20,00")
    comma_sales.write_text("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, comma_line]) + "\n")
    build_staging(db, {**vars, "raw_sales_path": str(comma_sales), "raw_decimal_separator": ","})
    assert query(db, "select customer_id, income from staging.stg_sales__customers where customer_id in ('11', '12') order by 1") == [
        ("11", Decimal("52000.00")), ("12", Decimal("41.50")),
    ]  # fmt: skip


def test_customers_and_experiments_files_saved_by_excel_on_windows_are_read_in_raw_encoding(tmp_path):
    """Excel on Windows saves "CSV (semicolon)" in Windows-1252 with CRLF line ends: Ö in one
    byte (0xD6), the euro sign and the en dash in 0x80 and 0x96, which UTF-8 and latin-1 readers
    refuse. With raw_encoding cp1252 the customers and experiments files read like the sales
    file beside them; with utf-8 the build stops naming the file and raw_encoding."""

    def write(path: Path, lines: list[str]) -> Path:
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
        return path

    line = fields("SO - 1", Unit_Price="20,00", Unit_Cost="10,00", Discount_Applied="0,1", _CustomerID="7")
    sales = write(tmp_path / "Umsätze.csv", [text_line(r, ";") for r in [RETAIL_CHAIN_HEADER, line]])
    customers = write(
        tmp_path / "Kunden.csv",
        ["customer_id;age;gender;income;country", "7;40;w;41.500,50 €;Österreich", "8;33;m;52.000 €;Deutschland"],
    )
    experiments = write(
        tmp_path / "Tests.csv",
        [
            "customer_id;experiment_id;variant;assigned_at",
            "7;Frühjahr – Rabatt;control;2018-06-01",
            "8;Frühjahr – Rabatt;treatment;2018-06-01",
        ],
    )
    vars = {
        "raw_sales_path": str(sales), "raw_customers_path": str(customers), "raw_experiments_path": str(experiments),
        "raw_encoding": "cp1252", "raw_decimal_separator": ",",
    }  # fmt: skip
    db = tmp_path / "retail.duckdb"
    build_staging(db, vars)
    assert query(db, "select customer_id, gender, age, income, country from staging.stg_sales__customers order by 1") == [
        ("7", "Female", 40, Decimal("41500.50"), "Österreich"), ("8", "Male", 33, Decimal("52000.00"), "Deutschland"),
    ]  # fmt: skip
    assert query(db, "select distinct source_file from staging.base_sales__customers") == [(str(customers),)]
    assert query(db, "select customer_id, experiment_id, variant from staging.stg_sales__experiment_assignments order by 1") == [
        ("7", "Frühjahr – Rabatt", "control"), ("8", "Frühjahr – Rabatt", "treatment"),
    ]  # fmt: skip
    assert query(db, "select distinct source_file from staging.base_sales__experiment_assignments") == [(str(experiments),)]
    assert not Path(f"{db}.records").exists()  # the UTF-8 copies are gone with the build

    # read as UTF-8, the first byte that is not stops the build, naming the file and the var
    result = build_staging(tmp_path / "utf8.duckdb", {**vars, "raw_encoding": "utf-8"}, expect_ok=False)
    assert (
        f"'{customers}' is not valid utf-8 text: byte 0xD6" in result.output or f"'{experiments}' is not valid utf-8 text" in result.output
    )
    assert "Set raw_encoding to the file's encoding" in result.output


def records_beside_one_sale(folder: Path, customers: str, experiments: str) -> dict:
    """The vars of a build reading one sale of customer 7 and a customers and an experiments
    file with the given text (customers.csv, experiments.csv in `folder`)."""
    sales = folder / "sales.csv"
    sales.write_text("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, fields("SO - 1", _CustomerID="7")]) + "\n")
    (folder / "customers.csv").write_text(customers)
    (folder / "experiments.csv").write_text(experiments)
    return {
        "raw_sales_path": str(sales),
        "raw_customers_path": str(folder / "customers.csv"),
        "raw_experiments_path": str(folder / "experiments.csv"),
    }


def test_customers_and_experiments_headers_read_in_any_spelling_and_a_missing_column_stops_naming_it(tmp_path):
    """CRM exports name the columns their own way (Customer ID, Age, Experiment ID, Assigned At):
    found as the sales columns are, in any case, with blanks or underscores. A file without a
    column, an empty file and a Parquet file each stop the build with one line naming the file
    and the problem, where DuckDB's reader gave a binder error or read the file's bytes."""
    vars = records_beside_one_sale(
        tmp_path,
        "Customer ID,Age,GENDER,Income,Country\n7,40,w,41500,Austria\n",
        "CustomerID;Experiment ID;Variant;Assigned_At\n7;spring;control;2018-06-01\n",
    )
    db = tmp_path / "retail.duckdb"
    build_staging(db, vars)
    assert query(db, "select customer_id, gender, age, income, country from staging.stg_sales__customers") == [
        ("7", "Female", 40, Decimal("41500.00"), "Austria")
    ]
    assert query(db, "select customer_id, experiment_id, variant from staging.stg_sales__experiment_assignments") == [
        ("7", "spring", "control")
    ]

    no_income = tmp_path / "no_income.csv"
    no_income.write_text("customer_id,age,gender,country\n7,40,w,Austria\n")
    result = build_staging(db, {**vars, "raw_customers_path": str(no_income)}, expect_ok=False)
    assert f"customers file '{no_income}' has no column income. Its header: customer_id, age, gender, country." in result.output
    twice = tmp_path / "twice.csv"
    twice.write_text("customer_id,age,gender,income,country,Customer ID\n7,40,w,41500,Austria,8\n")
    result = build_staging(db, {**vars, "raw_customers_path": str(twice)}, expect_ok=False)
    assert f"customers file '{twice}' has more than one column for customer_id (customer_id, Customer ID)" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = build_staging(db, {**vars, "raw_experiments_path": str(empty)}, expect_ok=False)
    assert f"experiments file '{empty}' is empty" in result.output
    parquet = tmp_path / "customers.parquet"
    duckdb.sql(f"copy (select 7 as customer_id, 40 as age) to '{parquet}' (format parquet)")
    result = build_staging(db, {**vars, "raw_customers_path": str(parquet)}, expect_ok=False)
    assert f"customers file '{parquet}' is not a CSV file or workbook: save it as CSV" in result.output
    # each stop left the first build's rows as they were
    assert query(db, "select customer_id, income from staging.stg_sales__customers") == [("7", Decimal("41500.00"))]


def test_customers_and_experiments_workbooks_are_read_from_their_first_sheet(tmp_path):
    """CRM tools export customers as .xlsx. A workbook (customers, experiments, rates) is read
    like the CSV a user would save from it: its first sheet, blank rows skipped, headers in any
    spelling. A typed number is
    its value whatever raw_decimal_separator says: 52.125 is never ambiguous_income, as the
    text 52.125 is with auto. Data in a second sheet stops the build, naming the file, the
    sheets and raw_customers_path."""
    from openpyxl import Workbook

    lines = [fields("SO - 1", _CustomerID="7"), fields("SO - 2", _CustomerID="8")]
    sales = tmp_path / "sales.csv"
    sales.write_text("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, *lines]) + "\n")
    customers, experiments = tmp_path / "Customers.xlsx", tmp_path / "Experiments.xlsx"
    book = Workbook()
    book.active.append(["Customer ID", "Age", "Gender", "Income", "Country"])
    book.active.append([7, 40, "w", 52.125, "Österreich"])
    book.active.append([])
    book.active.append([8.0, 33.0, "Male", "52.125", "Germany"])  # a text income: read as text is
    book.active.append([9, 41.5, "Male", 1250.5, "France"])  # an age is a whole number
    book.save(customers)
    book = Workbook()
    book.active.append(["customer_id", "Experiment ID", "Variant", "Assigned At"])
    book.active.append([7, "spring", "Control", dt.datetime(2018, 6, 1, 9, 30)])
    book.active.append([8, "spring", "treatment", dt.date(2018, 6, 2)])
    book.save(experiments)
    fx_rates = tmp_path / "Rates.xlsx"
    book = Workbook()
    book.active.append(["currency_code", "rate_date", "rate_to_reporting"])
    book.active.append(["EUR", dt.date(2018, 1, 1), 1.125])
    book.save(fx_rates)
    vars = {
        "raw_sales_path": str(sales), "raw_customers_path": str(customers), "raw_experiments_path": str(experiments),
        "raw_fx_rates_path": str(fx_rates), "raw_max_quarantined_share": 1,
    }  # fmt: skip
    db = tmp_path / "retail.duckdb"
    build_staging(db, vars)
    assert query(db, "select customer_id, gender, age, income, country from staging.stg_sales__customers") == [
        ("7", "Female", 40, Decimal("52.13"), "Österreich"),
    ]  # fmt: skip
    assert query(db, "select distinct source_file from staging.base_sales__customers") == [(str(customers),)]
    refused = "select raw_customer_id, raw_income, quarantine_reasons from staging.stg_sales__quarantined_customers order by 1"
    assert query(db, refused) == [("8", "52.125", "ambiguous_income"), ("9", "1250.5", "non_numeric_age")]
    # the copies the workbooks were read from are gone with the build
    assert not Path(f"{db}.records").exists()
    assignments = "select customer_id, experiment_id, variant, assigned_at from staging.stg_sales__experiment_assignments order by 1"
    assert query(db, assignments) == [
        ("7", "spring", "control", dt.datetime(2018, 6, 1, 9, 30)), ("8", "spring", "treatment", dt.datetime(2018, 6, 2)),
    ]  # fmt: skip

    # told the separator, a typed number still reads as itself, and a text one by the separator
    comma_sales = tmp_path / "comma_sales.csv"
    comma = {"Discount_Applied": "0,1", "Unit_Cost": "10,00", "Unit_Price": "20,00"}
    comma_lines = [fields("SO - 1", _CustomerID="7", **comma), fields("SO - 2", _CustomerID="8", **comma)]
    comma_sales.write_text("\n".join(text_line(r) for r in [RETAIL_CHAIN_HEADER, *comma_lines]) + "\n")
    build_staging(db, {**vars, "raw_sales_path": str(comma_sales), "raw_decimal_separator": ","})
    assert query(db, "select customer_id, income from staging.stg_sales__customers order by 1") == [
        ("7", Decimal("52.13")), ("8", Decimal("52125.00")),
    ]  # fmt: skip
    # (the rates file's numbers have a decimal point whatever the var)
    assert query(db, "select * exclude (source_file, problem) from staging.stg_sales__fx_rates") == [
        ("EUR", dt.date(2018, 1, 1), Decimal("1.12500000")),
    ]  # fmt: skip
    # (and its copy is read as UTF-8 whatever the CSV files' raw_encoding)
    build_staging(db, {**vars, "raw_decimal_separator": ".", "raw_encoding": "latin-1"})
    assert query(db, "select customer_id, income, country from staging.stg_sales__customers order by 1") == [
        ("7", Decimal("52.13"), "Österreich"), ("8", Decimal("52.13"), "Germany"),
    ]  # fmt: skip

    book = Workbook()
    book.active.append(["customer_id", "age", "gender", "income", "country"])
    book.create_sheet("More customers").append([10, 50, "f", 1000, "Spain"])
    book.save(customers)
    result = build_staging(db, vars, expect_ok=False)
    assert (
        f"customers file '{customers}' has data in the sheets Sheet, More customers, and a workbook is read from its first sheet"
        " (Sheet) only. Save each sheet as its own file (Excel: Save As, CSV UTF-8, once per sheet) where raw_customers_path"
        " finds it" in result.output
    )
    assert query(db, "select count(*) from staging.stg_sales__customers") == [(2,)]
    assert not Path(f"{db}.records").exists()  # a failed build leaves no copy either


def test_customers_and_experiments_values_written_as_excel_text_formulas_are_their_text(tmp_path):
    """Exports that keep leading zeros write ="..." around text, some around every field, and
    some CSV-quote it, doubling its quotes: a country ="AT" is AT, a gender ="F" Female, a
    variant ="B" b."""
    vars = records_beside_one_sale(
        tmp_path,
        'customer_id,age,gender,income,country\n="0007",40,="F",41500,="AT"\n"=""8""",33,"=""m""",30000,"=""DE"""\n',
        'customer_id,experiment_id,variant,assigned_at\n="0007",="E-01",="B",2018-06-01\n',
    )
    db = tmp_path / "retail.duckdb"
    build_staging(db, vars)
    assert query(db, "select customer_id, gender, country from staging.stg_sales__customers order by 1") == [
        ("0007", "Female", "AT"), ("8", "Male", "DE"),
    ]  # fmt: skip
    assert query(db, "select customer_id, experiment_id, variant from staging.stg_sales__experiment_assignments") == [
        ("0007", "E-01", "b"),
    ]  # fmt: skip


def test_customers_experiments_and_rates_files_with_title_lines_above_the_header_are_read(tmp_path):
    """CRM and ERP reports put a title, an export date and blank lines above the table, and Excel
    writes a title cell as `Customer report;;;;`, which the CSV reader took for the header: the
    build stopped with "has no column customer_id". The header is the first of a file's first 50
    lines that names every column, as for the sales files: in a CSV file (CRLF, a byte-order
    mark), a gzipped one and a workbook's first sheet. A file whose first 50 lines hold no such
    line still stops, naming the header of its first line."""
    from openpyxl import Workbook

    vars = records_beside_one_sale(
        tmp_path,
        "\ufeffCustomer report;;;;\r\nExported 01.12.2026 by CRM;;;;\r\n;;;;\r\n"
        "Customer ID;Age;Gender;Income;Country\r\n7;40;w;41500;AT\r\n8;300;m;30000;DE\r\n",
        "",
    )
    experiments = tmp_path / "experiments.csv.gz"
    text = "Experiments, spring 2018\n\ncustomer_id,experiment_id,variant,assigned_at\n7,spring,B,2018-06-01\n"
    experiments.write_bytes(gzip.compress(text.encode()))
    fx_rates = tmp_path / "Rates.xlsx"
    book = Workbook()
    book.active.append(["Rates to the reporting currency"])
    book.active.append([])
    book.active.append(["Currency Code", "Rate Date", "Rate to Reporting"])
    book.active.append(["EUR", dt.date(2018, 1, 1), 1.125])
    book.save(fx_rates)
    vars = {**vars, "raw_experiments_path": str(experiments), "raw_fx_rates_path": str(fx_rates), "raw_max_quarantined_share": 1}
    db = tmp_path / "retail.duckdb"
    build_staging(db, vars)
    assert query(db, "select customer_id, gender, age, income, country from staging.stg_sales__customers") == [
        ("7", "Female", 40, Decimal("41500.00"), "AT"),
    ]  # fmt: skip
    assert query(db, "select raw_customer_id, quarantine_reasons from staging.stg_sales__quarantined_customers") == [
        ("8", "age_out_of_range"),
    ]  # fmt: skip
    assert query(db, "select customer_id, experiment_id, variant from staging.stg_sales__experiment_assignments") == [
        ("7", "spring", "b"),
    ]  # fmt: skip
    assert query(db, "select currency_code, rate_date, rate_to_reporting from staging.stg_sales__fx_rates") == [
        ("EUR", dt.date(2018, 1, 1), Decimal("1.12500000")),
    ]  # fmt: skip

    # a title line that names the columns in its text is no header: its fields must
    no_header = tmp_path / "no_header.csv"
    no_header.write_text("Customers by customer_id, age, gender and income;;;;\n" + "7;40;w;41500;AT\n" * 60)
    result = build_staging(db, {**vars, "raw_customers_path": str(no_header)}, expect_ok=False)
    assert f"customers file '{no_header}' has no column customer_id. Its header: Customers by customer_id" in result.output
    assert query(db, "select count(*) from staging.stg_sales__customers") == [(1,)]


def test_customers_and_experiments_lines_that_do_not_split_into_the_header_are_quarantined(tmp_path):
    """A hand-edited customers file with one short line read as one column under DuckDB's
    sniffer, and the build stopped with "has no column customer_id" naming the very header it
    had. Each line the reader cannot split into the header's fields (short, long, a stray or a
    never-closed quote) is now malformed_line with its text and line number, and the lines
    around it are read. A line of delimiters only is no row. A quoted field holding a line
    break is one record; below such a record the reader's line numbers are not the file's, so
    a malformed line there has its text and no number."""
    customers = (
        "Customer ID;Age;Gender;Income;Country;Notes\r\n"  # 1
        "7;40;w;41500;AT;\r\n"  # 2
        "8;33;m\r\n"  # 3 short
        "9;50;f;1000;DE;;extra\r\n"  # 4 long
        ";;;;;\r\n"  # 5 Excel's empty row
        '10;"4"5;f;1000;DE;\r\n'  # 6 a stray quote
        "\r\n"  # 7
        '12;35;m;"3000;FR;\r\n'  # 8 a quote never closed
        "13;36;m;3100;FR;\r\n"  # 9
        '14;"37";m;3200;FR;"a ""quoted"" note"\r\n'  # 10
        "15;38;f\r\n"  # 11 short
    )
    experiments = "customer_id,experiment_id,variant,assigned_at\n7,spring,B\n7,spring,A,2018-06-01\n"
    vars = {**records_beside_one_sale(tmp_path, customers, experiments), "raw_max_quarantined_share": 1}
    db = tmp_path / "retail.duckdb"
    build_staging(db, vars)
    assert query(db, "select customer_id, age, income from staging.stg_sales__customers order by age") == [
        ("13", 36, Decimal("3100.00")), ("14", 37, Decimal("3200.00")), ("7", 40, Decimal("41500.00")),
    ]  # fmt: skip
    refused = """select malformed_line_number, malformed_line, quarantine_reasons, raw_customer_id
        from staging.stg_sales__quarantined_customers order by malformed_line"""
    assert query(db, refused) == [
        (6, '10;"4"5;f;1000;DE;', "malformed_line", None),
        (8, '12;35;m;"3000;FR;', "malformed_line", None),
        (11, "15;38;f", "malformed_line", None),
        (3, "8;33;m", "malformed_line", None),
        (4, "9;50;f;1000;DE;;extra", "malformed_line", None),
    ]
    assert query(db, "select customer_id, variant from staging.stg_sales__experiment_assignments") == [("7", "a")]
    refused = "select malformed_line_number, malformed_line, quarantine_reasons from staging.stg_sales__quarantined_experiment_assignments"
    assert query(db, refused) == [(2, "7,spring,B", "malformed_line")]

    # a note over two lines above: the record is read, the short line below it has no number
    (tmp_path / "customers.csv").write_text(
        'customer_id,age,gender,income,country,notes\n11,29,f,2000,AT,"called twice\nprefers email"\n15,38,f\n'
    )
    build_staging(db, vars)
    assert query(db, "select customer_id, age from staging.stg_sales__customers") == [("11", 29)]
    assert query(db, refused.replace("experiment_assignments", "customers")) == [(None, "15,38,f", "malformed_line")]

    # a rates file must be exact: a short line or a blank rate stops the build, naming the line
    rates = tmp_path / "rates.csv"
    rates.write_text("currency_code,rate_date,rate_to_reporting\nEUR,2018-01-01,1.2\nEUR,2018-06-01\nUSD,2018-01-01,\n")
    result = build_staging(db, {**vars, "raw_fx_rates_path": str(rates)}, expect_ok=False)
    assert (
        f"fx rates file '{rates}' has a line that is not a currency code, a date and a rate above 0 (line 3):"
        " 'EUR,2018-06-01'" in result.output
    )
    rates.write_text("currency_code,rate_date,rate_to_reporting\nEUR,2018-01-01,1.2\nUSD,2018-01-01,\n")
    result = build_staging(db, {**vars, "raw_fx_rates_path": str(rates)}, expect_ok=False)
    assert "a date and a rate above 0: 'USD, 2018-01-01, '" in result.output


def test_fx_rates_saved_by_excel_in_european_and_us_locales_are_read_and_ambiguous_ones_stop(tmp_path):
    """The rates file needed ISO dates and decimal points, so German Excel's `01.06.2018;1,1685`
    stopped the build. Its dates and rates are read now as the sales files' are: dotted dates
    day first, a slash date in the order the file's dates tell, a rate with the separator the
    file's rates tell, eight decimals kept (a won in euros is 0,00071234). A date or rate that
    reads two ways in a file that never tells which stops the build, naming the line."""
    vars = records_beside_one_sale(
        tmp_path, "customer_id,age,gender,income,country\n7,40,w,41500,AT\n", "customer_id,experiment_id,variant,assigned_at\n"
    )
    rates = tmp_path / "rates.csv"
    vars = {**vars, "raw_fx_rates_path": str(rates)}
    db = tmp_path / "retail.duckdb"
    read = "select currency_code, rate_date, rate_to_reporting from staging.stg_sales__fx_rates order by 1, 2"

    rates.write_text(
        "currency_code;rate_date;rate_to_reporting\r\nEUR;01.06.2018;1,1685\r\nEUR;01.01.2018;1,168\r\nKRW;01.01.2018;0,00071234\r\n"
    )
    build_staging(db, vars)
    assert query(db, read) == [
        ("EUR", dt.date(2018, 1, 1), Decimal("1.16800000")),
        ("EUR", dt.date(2018, 6, 1), Decimal("1.16850000")),
        ("KRW", dt.date(2018, 1, 1), Decimal("0.00071234")),
    ]
    rates.write_text('currency_code,rate_date,rate_to_reporting\nEUR,06/13/2018,1.1685\nEUR,06/01/2018,"1,168.5"\n')
    build_staging(db, vars)
    assert query(db, read) == [("EUR", dt.date(2018, 6, 1), Decimal("1168.50000000")), ("EUR", dt.date(2018, 6, 13), Decimal("1.16850000"))]

    rates.write_text("currency_code,rate_date,rate_to_reporting\nEUR,01/06/2018,1.1685\nEUR,02/06/2018,1.1695\n")
    result = build_staging(db, vars, expect_ok=False)
    assert f"fx rates file '{rates}' has a date that reads as two days" in result.output
    assert "set raw_date_order, or write the dates as yyyy-mm-dd: 'EUR, 01/06/2018, 1.1685'" in result.output
    build_staging(db, {**vars, "raw_date_order": "dmy"})
    assert query(db, read) == [("EUR", dt.date(2018, 6, 1), Decimal("1.16850000")), ("EUR", dt.date(2018, 6, 2), Decimal("1.16950000"))]
    rates.write_text("currency_code;rate_date;rate_to_reporting\nEUR;2018-01-01;1,168\n")
    result = build_staging(db, vars, expect_ok=False)
    assert f"fx rates file '{rates}' has a rate that reads as two numbers (1,168: 1.168 or 1168)" in result.output
    # each stop left the last good build's rates
    assert query(db, "select count(*) from staging.stg_sales__fx_rates") == [(2,)]
