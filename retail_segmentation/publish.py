"""Publishing the warehouse: BI tools open a file no build writes into.

dbt builds into the working file (DUCKDB_PATH, default warehouse/build/retail.duckdb). When a
`dbt build` ends with every node successful, the on-run-end hook (macro publish_warehouse)
copies the public marts into a new file next to the published one (DUCKDB_PUBLISH_PATH,
default warehouse/retail.duckdb) and calls `publish_replace_file`, which renames it over the
published file in one step. A reader sees the old warehouse or the new one, never a mix; a
reader holding the old file open keeps reading it (POSIX rename leaves the open inode alone).

The functions reach SQL through the dbt-duckdb plugin at the bottom of this module, listed in
profiles/profiles.yml: DuckDB calls them from the hook's SQL, inside dbt's process. The plugin
also gives the models `raw_file_fingerprint(path)` (retail_segmentation.fingerprints) and
`raw_record_file_to_read(path, encoding, directory, what, path_var, decimal_separator)`,
`raw_record_header(path, encoding, columns)` and `raw_remove_record_copies(directory)`
(retail_segmentation.raw_text).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin

from retail_segmentation.fingerprints import file_fingerprint
from retail_segmentation.raw_text import record_file_to_read, record_header, remove_record_copies


class PublishError(RuntimeError):
    pass


def staging_path(published: str) -> str:
    """Where the next published file is written before it replaces the published one (its
    directory is created if missing)."""
    path = Path(published)
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path.with_name(f".{path.name}.publishing"))


def remove_leftover(published: str) -> str:
    """Delete what a killed publish left behind (its staging file and WAL); say what was removed."""
    removed = []
    for leftover in (staging_path(published), staging_path(published) + ".wal"):
        if os.path.exists(leftover):
            os.remove(leftover)
            removed.append(leftover)
    return ", ".join(removed)


def copy_file(published: str, new_file: str) -> str:
    """Copy the published file to `new_file`, where a publish that carries marts over changes it."""
    shutil.copyfile(published, new_file)
    return new_file


def file_identity(path: str) -> str:
    """What tells a warehouse file's contents apart without reading them: its fingerprint (size,
    modification time in ns, SHA-256 of the first and last MiB, which hold DuckDB's headers,
    rewritten at every checkpoint), or '' when it is missing or has a write-ahead log (changes
    not in the file yet). A publish records the new file's identity (a rename keeps it) beside
    the parts it published; the next trusts that record only while the published file's
    identity is the same."""
    if not os.path.exists(path) or os.path.exists(path + ".wal"):
        return ""
    return file_fingerprint(path)[2]


def replace_file(new_file: str, published: str) -> str:
    """Make `new_file` the published file in one atomic step, durable once this returns."""
    if os.path.exists(new_file + ".wal"):
        raise PublishError(f"'{new_file}' still has a write-ahead log: it was not closed cleanly, not published")
    with open(new_file, "rb") as handle:
        os.fsync(handle.fileno())
    try:
        os.replace(new_file, published)
    except OSError as error:
        raise PublishError(
            f"could not replace the published warehouse '{published}' ({error.strerror}); "
            f"it stays as it was, and the new one is at '{new_file}'"
        ) from None
    directory = os.open(os.path.dirname(os.path.abspath(published)), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return published


def fresh_directory(directory: str) -> str:
    """An empty `directory`: what a killed export left there is deleted."""
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    return directory


def replace_directory(new_directory: str, directory: str) -> str:
    """Put `new_directory` (complete) where `directory` is: two renames, the old one removed after."""
    previous = directory.rstrip("/") + ".previous"
    shutil.rmtree(previous, ignore_errors=True)
    if os.path.exists(directory):
        os.replace(directory, previous)
    os.replace(new_directory, directory)
    shutil.rmtree(previous, ignore_errors=True)
    return directory


def lock_holder_message(error: Exception, path: str, published: str) -> str | None:
    """One line for DuckDB's "Could not set lock" error: which process holds the working file."""
    text = str(error)
    if "Could not set lock" not in text:
        return None
    match = re.search(r"\(PID (\d+)\)", text)
    holder = "another process"
    if match:
        pid = match.group(1)
        try:
            command = " ".join(Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").replace("\0", " ").split())
        except OSError:
            command = ""
        holder = f"process {pid}" + (f" ({command[:200]})" if command else "")
    return (
        f"The working warehouse '{path}' is in use by {holder}: a second build, or a client that opened "
        f"the working file. Wait for it or close it. BI tools should open the published file '{published}', "
        "which builds never lock."
    )


class Plugin(BasePlugin):
    """dbt-duckdb plugin: checks the working file can be opened, and gives the hook (and the
    models, a file's fingerprint) its functions."""

    def initialize(self, plugin_config: dict) -> None:
        self.published = plugin_config.get("published_path") or "warehouse/retail.duckdb"

    def update_connection_config(self, creds, config: dict) -> None:
        # Runs before dbt-duckdb opens the working file: create its directory, and turn a lock
        # held by another process into one line instead of a traceback.
        import duckdb
        from dbt_common.exceptions import DbtRuntimeError

        path = creds.path
        if not path or path == ":memory:" or path.startswith("md:"):
            return
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        try:
            duckdb.connect(path, config=dict(config)).close()
        except Exception as error:  # noqa: BLE001 - any other error surfaces when dbt-duckdb connects
            message = lock_holder_message(error, path, self.published)
            if message:
                raise DbtRuntimeError(message) from None

    def configure_connection(self, conn) -> None:
        conn.create_function("publish_published_path", lambda: self.published, [], "VARCHAR", side_effects=True)
        conn.create_function("publish_fresh_directory", fresh_directory, ["VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function("publish_replace_directory", replace_directory, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function("publish_staging_path", staging_path, ["VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function("publish_remove_leftover", remove_leftover, ["VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function("publish_copy_file", copy_file, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function("publish_file_exists", os.path.exists, ["VARCHAR"], "BOOLEAN", side_effects=True)
        conn.create_function("publish_file_identity", file_identity, ["VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function("publish_replace_file", replace_file, ["VARCHAR", "VARCHAR"], "VARCHAR", side_effects=True)
        # the fingerprint base_sales__raw_file_fingerprints gives a raw file, for inputs read whole
        # (the customers file): a build reads them again only when it changed
        conn.create_function("raw_file_fingerprint", lambda path: file_fingerprint(path)[2], ["VARCHAR"], "VARCHAR", side_effects=True)
        # the file DuckDB reads for a file read whole into rows, in raw_encoding (a workbook's
        # or a cp1252 file's UTF-8 CSV copy), or a clear error when it cannot be read
        conn.create_function("raw_record_file_to_read", record_file_to_read, ["VARCHAR"] * 6, "VARCHAR", side_effects=True)
        # where its header is (below a report's title lines), as JSON
        conn.create_function("raw_record_header", record_header, ["VARCHAR", "VARCHAR", "VARCHAR[]"], "VARCHAR", side_effects=True)
        conn.create_function("raw_remove_record_copies", remove_record_copies, ["VARCHAR"], "VARCHAR", side_effects=True)
