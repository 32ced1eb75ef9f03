"""Fingerprints of the raw files, so an incremental build reloads only what changed.

A file's fingerprint is its size, its modification time (nanoseconds) and a SHA-256 of its
first and last MiB. Reading two blocks costs the same for a 10 kB and a 10 GB file, and an edit
that keeps the size and the modification time (a file restored from a copy, a clock set back)
still shows in the blocks where exports change: the header and the last lines.
"""

from __future__ import annotations

import hashlib
import os

import pyarrow as pa

BLOCK_BYTES = 1 << 20

SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("file_size", pa.int64()),
        ("file_modified_ns", pa.int64()),
        ("file_fingerprint", pa.string()),
    ]
)


def file_fingerprint(path: str) -> tuple[int, int, str]:
    """(size, modification time in ns, digest of size, time and the first and last MiB)."""
    status = os.stat(path)
    digest = hashlib.sha256(f"{status.st_size}:{status.st_mtime_ns}:".encode())
    with open(path, "rb") as file:
        digest.update(file.read(BLOCK_BYTES))
        if status.st_size > BLOCK_BYTES:
            file.seek(max(BLOCK_BYTES, status.st_size - BLOCK_BYTES))
            digest.update(file.read(BLOCK_BYTES))
    return status.st_size, status.st_mtime_ns, digest.hexdigest()[:32]


def file_fingerprints(paths: list[str]) -> pa.Table:
    """One row per file of `paths`, in the order given."""
    rows = [(path, *file_fingerprint(path)) for path in paths]
    return pa.table(
        {name: [row[i] for row in rows] for i, name in enumerate(SCHEMA.names)},
        schema=SCHEMA,
    )


def recorded_fingerprints(session, relation: str, complete: str | None = None) -> dict[str, str]:
    """{file: fingerprint} of the files whose rows an earlier build wrote to `relation`.

    A file is left out when its rows carry no fingerprint or more than one (a table built before
    incremental loads, which gains the column empty), or when a row lacks `complete`, a column
    every row of the current reader holds (a table written by an older reader): it is read again.
    """
    columns = [column[0] for column in session.execute(f"select * from {relation} limit 0").description]
    if "file_fingerprint" not in columns or (complete is not None and complete not in columns):
        return {}
    complete_rows = f" and count({complete}) = count(*)" if complete is not None else ""
    return dict(
        session.execute(
            f"select source_file, min(file_fingerprint) from {relation} group by source_file"
            " having count(file_fingerprint) = count(*) and min(file_fingerprint) = max(file_fingerprint)" + complete_rows
        ).fetchall()
    )
