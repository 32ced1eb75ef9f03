"""Spreadsheet (.xlsx) files as raw lines: each row of the first sheet as a list of text fields.

A workbook with data in any other sheet stops the build (RawFileError naming the sheets): its
other sheets' lines would otherwise be lost without a word.

The raw layer reads CSV files as lines of text and splits them in SQL; a spreadsheet has no
text lines, so its rows arrive here already split, one list of fields per row, numbered as the
spreadsheet numbers them (the header is row 1). The base models then treat them like split CSV
lines: same header matching, same parsing, same quarantine.

python-calamine (Rust, maintained) reads the workbook; it is several times faster than openpyxl
on large sheets. Cell values become the text a CSV export of the sheet would hold: whole numbers
without a trailing .0, other numbers in their shortest exact form with a decimal point, dates and
times in ISO form. Which cells held numbers is kept beside the text (`typed_numbers`): a typed
number is read with a point whatever the file's decimal separator, which only text cells (a
number typed or pasted as text, `1.250,00` in a German workbook) follow and tell.

A file read whole into rows (the customers and experiment assignments files) is read by
DuckDB's CSV reader: a workbook's first sheet is written for it as a UTF-8 CSV copy
(write_first_sheet_as_csv), its typed numbers as text that reads only as them under
raw_decimal_separator.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from retail_segmentation.raw_text import RawFileError

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("source_line_number", pa.int64()),
        ("fields", pa.list_(pa.string())),
        ("typed_numbers", pa.list_(pa.bool_())),
        ("file_fingerprint", pa.string()),
    ]
)


def cell_text(value: object) -> str:
    """The text of one cell as a CSV export would write it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def is_typed_number(value: object) -> bool:
    """Whether a cell holds a number (not text, a date or a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def first_sheet_rows(path: str | Path, what: str = "raw sales file", path_var: str = "raw_sales_path") -> list[tuple[int, list]]:
    """Every non-empty row of the workbook's first sheet as (row number, cell values). Data in
    another sheet raises RawFileError naming the file (as `what` names it), the sheets and the
    var (`path_var`) that finds the files."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet_names = workbook.sheet_names
    rows = []
    # skip_empty_area=False: the rows start at the sheet's first row, so row i is line i + 1
    for offset, row in enumerate(workbook.get_sheet_by_index(0).to_python(skip_empty_area=False) if sheet_names else []):
        if any(cell_text(value) for value in row):
            rows.append((offset + 1, row))
    # a second sheet of rows (UCI publishes Online Retail II as one sheet per year) would be
    # lost: such a workbook stops the build instead
    with_data = sheet_names[:1] if rows else []
    for index, name in enumerate(sheet_names[1:], start=1):
        if any(cell_text(value) for row in workbook.get_sheet_by_index(index).to_python() for value in row):
            with_data.append(name)
    if with_data and with_data != sheet_names[:1]:
        raise RawFileError(
            f"{what} '{path}' has data in the sheets {', '.join(with_data)}, and a workbook is read from its "
            f"first sheet ({sheet_names[0]}) only. Save each sheet as its own file (Excel: Save As, CSV UTF-8, "
            f"once per sheet) where {path_var} finds it, and delete the sheets that hold none."
        )
    return rows


def spreadsheet_rows(path: str | Path, fingerprint: str | None = None) -> pa.Table:
    """Every non-empty row of the workbook's first sheet: (file, row number, fields as text,
    which fields hold typed numbers, the file's fingerprint)."""
    rows = first_sheet_rows(path)
    return pa.table(
        {
            "source_file": [str(path)] * len(rows),
            "source_line_number": [number for number, _ in rows],
            "fields": [[cell_text(value) for value in values] for _, values in rows],
            "typed_numbers": [[is_typed_number(value) for value in values] for _, values in rows],
            "file_fingerprint": [fingerprint] * len(rows),
        },
        schema=SCHEMA,
    )


def typed_number_text(value: float | int, decimal_separator: str) -> str:
    """A typed number as text that reads as that number, and only as it, under
    `decimal_separator` (raw_decimal_separator: '.', ',' or 'auto'). With auto a file's text
    numbers are read both ways, and a point before exactly three digits (52.125) also reads as a
    thousands separator: such a number gets a fourth decimal, 0, which no thousands group has."""
    text = cell_text(value)
    if "e" in text:
        text = format(Decimal(text), "f")
    if decimal_separator == ",":
        return text.replace(".", ",")
    if decimal_separator == "auto" and len(text.partition(".")[2]) == 3:
        return text + "0"
    return text


def write_first_sheet_as_csv(path: str, destination: Path, what: str, path_var: str, decimal_separator: str) -> None:
    """Write the workbook's first sheet (first_sheet_rows) as a UTF-8 CSV file: each cell as a
    CSV export writes it (cell_text), a typed number as typed_number_text. A sheet without a
    row raises RawFileError naming the file."""
    rows = first_sheet_rows(path, what, path_var)
    if not rows:
        raise RawFileError(f"{what} '{path}' has no rows in its first sheet: it needs a header row and a row per record.")
    with open(destination, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for _, values in rows:
            writer.writerow(typed_number_text(value, decimal_separator) if is_typed_number(value) else cell_text(value) for value in values)


def spreadsheets_rows(fingerprints: dict[str, str]) -> pa.Table:
    """The rows of every spreadsheet in `fingerprints` ({path: fingerprint}), file after file in
    name order."""
    tables = [spreadsheet_rows(path, fingerprints[path]) for path in sorted(fingerprints)]
    return pa.concat_tables(tables) if tables else SCHEMA.empty_table()
