"""CSV files in an encoding DuckDB's reader lacks, re-encoded to UTF-8 for it to read.

DuckDB reads UTF-8, UTF-16 and Latin-1 CSV natively; other encodings need its `encodings`
extension, a download at run time, which these machines cannot make. Excel on Windows writes
Windows-1252 (cp1252): Latin-1 but for 27 characters in 0x80-0x9F, the euro sign among them,
which DuckDB's Latin-1 reader refuses. Such files are decoded here with Python's codec (C code,
in 16 MB blocks: no per-line Python) into UTF-8 copies, one per file, which the raw layer reads
in their place under the original file's name.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

BLOCK_BYTES = 1 << 24

# where a file read whole into rows may have its header, as for the sales files
# (base_sales__raw_files), and the delimiters it is split with there
HEADER_SEARCH_LINES = 50
HEADER_DELIMITERS = (",", ";", "\t", "|")
# a longer line is no header: the search reads at most this much of it
HEADER_LINE_CHARS = 1 << 16

SCHEMA = pa.schema([("source_file", pa.string()), ("file_fingerprint", pa.string()), ("utf8_file", pa.string())])


class RawFileError(ValueError):
    """A raw file that cannot be read, with a message naming it and the problem."""


class RawEncodingError(RawFileError):
    """A raw file that is not text in its encoding (raw_encoding)."""


def is_workbook(path: str) -> bool:
    """The raw layer's rule (macro raw_file_kind): an .xlsx file is a workbook."""
    return path.strip().lower().endswith(".xlsx")


def is_csv(path: str) -> bool:
    """The raw layer's rule (macro raw_file_kind): every file not Parquet or a workbook is CSV text."""
    return not (is_workbook(path) or path.strip().lower().endswith((".parquet", ".pq")))


def utf8_copy_path(directory: Path, source_file: str, fingerprint: str) -> Path:
    """One name per file and content: a copy is never rewritten in place, so a build that stops
    while copying leaves no copy that an earlier build recorded half-overwritten."""
    return directory / (hashlib.md5(f"{source_file}\0{fingerprint}".encode()).hexdigest() + ".csv")


def decoded_blocks(source_file: str, encoding: str, what: str = "raw sales file") -> Iterator[str]:
    """The text of `source_file` (gzip-compressed when it ends in .gz) decoded from `encoding`,
    in blocks; a byte that is no character in `encoding` raises RawEncodingError naming the file
    (as `what` names it), the byte and its offset, and saying to set raw_encoding."""
    opener = gzip.open if source_file.lower().endswith(".gz") else open
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with opener(source_file, "rb") as raw:
        while True:
            block = raw.read(BLOCK_BYTES)
            try:
                yield decoder.decode(block, final=not block)
            except UnicodeDecodeError as error:
                byte = block[error.start] if block else 0
                raise RawEncodingError(
                    f"{what} '{source_file}' is not valid {encoding} text: byte 0x{byte:02X} at offset "
                    f"{offset + error.start} has no character in {encoding}. Set raw_encoding to the file's encoding: "
                    "cp1252 or latin-1 (Excel on Windows, most European exports), utf-16 (Excel's Unicode text), utf-8."
                ) from None
            if not block:
                return
            offset += len(block)


def transcode_to_utf8(source_file: str, destination: Path, encoding: str, what: str = "raw sales file") -> None:
    """Write `source_file` decoded from `encoding` (decoded_blocks) as UTF-8."""
    with open(destination, "wb") as out:
        for text in decoded_blocks(source_file, encoding, what):
            out.write(text.encode("utf-8"))


def record_file_to_read(source_file: str, encoding: str, directory: str, what: str, path_var: str, decimal_separator: str) -> str:
    """The file DuckDB's CSV reader reads for a file read whole into rows (the customers and
    experiment assignments files, found by `path_var`), in `encoding` (raw_encoding). A copy is
    written in `directory`, one per file, again on each call (a model calls this only when it
    reads the file), under a temporary name and renamed, so no reader sees half a copy:
      * an .xlsx workbook: its first sheet as CSV, typed numbers written to read as themselves
        under `decimal_separator` (spreadsheets.write_first_sheet_as_csv);
      * a cp1252 file: its UTF-8 copy.
    A UTF-8 file is itself, once checked, so that a file in another encoding stops the build
    naming raw_encoding rather than with the reader's own error; latin-1 and utf-16: itself
    (read natively). A Parquet file, or an empty one, raises RawFileError saying so."""
    # imported here: spreadsheets imports this module's RawFileError
    from retail_segmentation.spreadsheets import write_first_sheet_as_csv

    workbook = is_workbook(source_file)
    if not is_csv(source_file) and not workbook:
        raise RawFileError(f"{what} '{source_file}' is not a CSV file or workbook: save it as CSV (Excel: CSV UTF-8) and name that file.")
    if os.path.getsize(source_file) == 0:
        raise RawFileError(f"{what} '{source_file}' is empty: it needs a header line and a line per row.")
    if workbook or encoding == "cp1252":
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / (hashlib.md5(source_file.encode()).hexdigest() + ".csv")
        partial = copy.with_suffix(".part")
        if workbook:
            write_first_sheet_as_csv(source_file, partial, what, path_var, decimal_separator)
        else:
            transcode_to_utf8(source_file, partial, encoding, what)
        partial.replace(copy)
        return str(copy)
    if encoding == "utf-8":
        for _ in decoded_blocks(source_file, encoding, what):
            pass
    return source_file


def normalized_header(text: str) -> str:
    """A header as the macro normalized_header compares it: lower case, letters and digits only."""
    return re.sub("[^a-z0-9]", "", text.strip().lower())


def record_header(read_path: str, encoding: str, columns: list[str]) -> str:
    """Where the header of `read_path` is (the file record_file_to_read gives, read in
    `encoding`), as JSON: its 0-based `line_index`, its `delimiter`, its `fields` and their
    `keys` (normalized_header). It is the first of the file's first 50 lines that, split under
    one of , ; tab |, names every one of `columns`: reports and spreadsheets put a title and
    blank lines above their table, and Excel writes a title cell as `Customer report;;;;`.
    When no line names them all, the first line that names the most of them (under the
    delimiter that names the most), or line 1 split under the first delimiter it holds: the
    model then names the columns it lacks."""
    wanted = {normalized_header(column) for column in columns}
    opener = gzip.open if read_path.lower().endswith(".gz") else open
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    first_line = ""
    best = (0, 0, "", [])  # (columns named, line index, delimiter, fields)
    with opener(read_path, "rt", encoding=codec, errors="replace", newline="") as text:
        for index in range(HEADER_SEARCH_LINES):
            line = text.readline(HEADER_LINE_CHARS)
            if not line:
                break
            line = line.rstrip("\r\n")
            first_line = first_line if index else line
            for delimiter in HEADER_DELIMITERS:
                fields = next(csv.reader([line], delimiter=delimiter), [])
                named = len(wanted & {normalized_header(field) for field in fields})
                if named > best[0]:
                    best = (named, index, delimiter, fields)
            if best[0] == len(wanted):
                break
    if not best[0]:
        delimiter = next((d for d in HEADER_DELIMITERS if d in first_line), HEADER_DELIMITERS[0])
        best = (0, 0, delimiter, next(csv.reader([first_line], delimiter=delimiter), []))
    _, line_index, delimiter, fields = best
    return json.dumps({"line_index": line_index, "delimiter": delimiter, "fields": fields, "keys": [normalized_header(f) for f in fields]})


def remove_record_copies(directory: str) -> str:
    """Delete `directory`, where record_file_to_read writes its copies: a model reads them only
    while it runs, so no copy of a customers file outlives the build that read it."""
    shutil.rmtree(directory, ignore_errors=True)
    return directory


def transcoded_files(fingerprints: dict[str, str], encoding: str, directory: Path, copied: dict[str, str] | None = None) -> pa.Table:
    """UTF-8 copies of the CSV files among `fingerprints` ({path: fingerprint}) in `directory`.

    `copied` ({path: fingerprint}) are the copies an earlier build made: a file whose fingerprint
    is unchanged and whose copy is still there is not read again, and is not among the rows
    returned (the model appends them). Every other file in `directory` is deleted. Without
    `copied` (a first build, --full-refresh) every file is copied.
    """
    directory.mkdir(parents=True, exist_ok=True)
    copied = copied or {}
    sources = sorted(path for path in fingerprints if is_csv(path))
    kept = {
        utf8_copy_path(directory, path, fingerprints[path])
        for path in sources
        if copied.get(path) == fingerprints[path] and utf8_copy_path(directory, path, fingerprints[path]).exists()
    }
    for stale in directory.glob("*.csv"):
        if stale not in kept:
            stale.unlink()
    rows = []
    for source in sources:
        copy = utf8_copy_path(directory, source, fingerprints[source])
        if copy not in kept:
            transcode_to_utf8(source, copy, encoding)
            rows.append((source, fingerprints[source], str(copy)))
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(SCHEMA.names)}, schema=SCHEMA)
