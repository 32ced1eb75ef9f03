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
"""

from __future__ import annotations

import datetime as dt
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


def spreadsheet_rows(path: str | Path, fingerprint: str | None = None) -> pa.Table:
    """Every non-empty row of the workbook's first sheet: (file, row number, fields as text,
    which fields hold typed numbers, the file's fingerprint)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheet_names = workbook.sheet_names
    numbers, fields, typed = [], [], []
    # skip_empty_area=False: the rows start at the sheet's first row, so row i is line i + 1
    for offset, row in enumerate(workbook.get_sheet_by_index(0).to_python(skip_empty_area=False) if sheet_names else []):
        texts = [cell_text(value) for value in row]
        if any(texts):
            numbers.append(offset + 1)
            fields.append(texts)
            typed.append([is_typed_number(value) for value in row])
    # a second sheet of sales lines (UCI publishes Online Retail II as one sheet per year) would
    # be lost: such a workbook stops the build instead
    with_data = sheet_names[:1] if numbers else []
    for index, name in enumerate(sheet_names[1:], start=1):
        if any(cell_text(value) for row in workbook.get_sheet_by_index(index).to_python() for value in row):
            with_data.append(name)
    if with_data and with_data != sheet_names[:1]:
        raise RawFileError(
            f"raw sales file '{path}' has data in the sheets {', '.join(with_data)}, and a workbook is read from its "
            f"first sheet ({sheet_names[0]}) only. Save each sheet of sales lines as its own file (Excel: Save "
            "As, CSV UTF-8, once per sheet) where raw_sales_path finds it, and delete the sheets that hold none."
        )
    return pa.table(
        {
            "source_file": [str(path)] * len(numbers),
            "source_line_number": numbers,
            "fields": fields,
            "typed_numbers": typed,
            "file_fingerprint": [fingerprint] * len(numbers),
        },
        schema=SCHEMA,
    )


def spreadsheets_rows(fingerprints: dict[str, str]) -> pa.Table:
    """The rows of every spreadsheet in `fingerprints` ({path: fingerprint}), file after file in
    name order."""
    tables = [spreadsheet_rows(path, fingerprints[path]) for path in sorted(fingerprints)]
    return pa.concat_tables(tables) if tables else SCHEMA.empty_table()
