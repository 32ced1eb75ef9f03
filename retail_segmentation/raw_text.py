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
import gzip
import hashlib
from pathlib import Path

import pyarrow as pa

BLOCK_BYTES = 1 << 24

SCHEMA = pa.schema([("source_file", pa.string()), ("utf8_file", pa.string())])


class RawEncodingError(ValueError):
    pass


def is_csv(path: str) -> bool:
    """The raw layer's rule (macro raw_file_kind): every file not Parquet or .xlsx is CSV text."""
    lowered = path.strip().lower()
    return not lowered.endswith((".parquet", ".pq", ".xlsx"))


def utf8_copy_path(directory: Path, source_file: str) -> Path:
    return directory / (hashlib.md5(source_file.encode()).hexdigest() + ".csv")


def transcode_to_utf8(source_file: str, destination: Path, encoding: str) -> None:
    """Write `source_file` (gzip-compressed when it ends in .gz) decoded from `encoding` as UTF-8."""
    opener = gzip.open if source_file.lower().endswith(".gz") else open
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with opener(source_file, "rb") as raw, open(destination, "wb") as out:
        while True:
            block = raw.read(BLOCK_BYTES)
            try:
                out.write(decoder.decode(block, final=not block).encode("utf-8"))
            except UnicodeDecodeError as error:
                byte = block[error.start] if block else 0
                raise RawEncodingError(
                    f"raw sales file '{source_file}' is not valid {encoding} text: byte 0x{byte:02X} at offset "
                    f"{offset + error.start} has no character in {encoding}. Set raw_encoding to the file's encoding: "
                    "cp1252 or latin-1 (Excel on Windows, most European exports), utf-16 (Excel's Unicode text), utf-8."
                ) from None
            if not block:
                return
            offset += len(block)


def transcoded_files(paths: list[str], encoding: str, directory: Path) -> pa.Table:
    """UTF-8 copies of the CSV files among `paths` in `directory` (emptied of earlier copies first)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.csv"):
        stale.unlink()
    sources = sorted(path for path in paths if is_csv(path))
    copies = [utf8_copy_path(directory, path) for path in sources]
    for source, copy in zip(sources, copies):
        transcode_to_utf8(source, copy, encoding)
    return pa.table({"source_file": sources, "utf8_file": [str(c) for c in copies]}, schema=SCHEMA)
