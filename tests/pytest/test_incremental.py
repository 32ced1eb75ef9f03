"""Incremental loads: after any sequence of builds on a growing, changing set of daily files, the
warehouse equals a fresh full build on the same files (issue 19).

Each step builds the incremental warehouse (dbt build: models and tests) and, beside it in a
second process, a fresh warehouse from nothing on the same files; then every table and view both
hold is compared row for row (EXCEPT ALL both ways). The raw layer's per-build tables are left
out (base_sales__raw_lines and the views over it hold the lines a build read; the plan says
what it did), and so are the columns that name a load (load_id, loaded_on, first_rowid,
source_file_loads, and lines_fingerprint, a hash over load_ids).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT, dbt_args, dbt_env, query, run_dbt

SAMPLE = PROJECT / "data" / "sample" / "sales_data.csv"
DAY_LINES = 1500

# relations that hold what one build read or did, not what the warehouse holds
PER_BUILD = {
    "base_sales__raw_lines",
    "base_sales__raw_numbered_lines",
    "base_sales__raw_records",
    "base_sales__raw_multiline_records",
    "base_sales__raw_load_plan",
}
LOAD_COLUMNS = {"load_id", "loaded_on", "first_rowid", "source_file_loads", "lines_fingerprint"}


def relations(db: Path) -> dict[tuple[str, str], list[str]]:
    rows = query(
        db,
        "select table_schema, table_name, list(column_name order by ordinal_position)"
        " from information_schema.columns where table_catalog = current_database()"
        " group by all",
    )
    return {(schema, name): columns for schema, name, columns in rows if name not in PER_BUILD}


def differences(incremental: Path, full: Path, only: set[str] | None = None) -> list[str]:
    """The relations (all, or those named in `only`) whose rows differ between the two
    warehouses, with a count each way."""
    expected, got = relations(full), relations(incremental)
    if only is not None:
        expected = {key: columns for key, columns in expected.items() if key[1] in only}
    problems = [f"{schema}.{name}: missing" for schema, name in sorted(set(expected) - set(got))]
    con = duckdb.connect()
    con.execute(f"attach '{incremental}' as incremental (read_only)")
    con.execute(f"attach '{full}' as full_build (read_only)")
    try:
        for (schema, name), columns in sorted(expected.items()):
            if (schema, name) not in got:
                continue
            if got[(schema, name)] != columns:
                problems.append(f"{schema}.{name}: columns {got[(schema, name)]} != {columns}")
                continue
            listed = ", ".join(f'"{column}"' for column in columns if column not in LOAD_COLUMNS)
            a = f'select {listed} from incremental."{schema}"."{name}"'
            b = f'select {listed} from full_build."{schema}"."{name}"'
            extra = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
            lacking = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
            if extra or lacking:
                problems.append(f"{schema}.{name}: {extra} rows only incremental, {lacking} only in the full build")
    finally:
        con.close()
    return problems


def dbt_process(command: list[str], db: Path, raw_path: str, extra_vars: dict | None = None) -> subprocess.Popen:
    """dbt `command` against `db` in a child process (as conftest.run_dbt, but not waited for)."""
    return subprocess.Popen(
        dbt_args(command, {"raw_sales_path": raw_path, **(extra_vars or {})}),
        cwd=PROJECT,
        env=dbt_env(db),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def build_both(incremental: Path, full: Path, raw_path: str, select: list[str] | None = None, extra_vars: dict | None = None) -> None:
    """The incremental build and a fresh full build of the same files (of the `select`ed models:
    `dbt run --select ...`), side by side. The full build starts from no warehouse every time;
    its dbt target directory (dbt_env: beside the warehouse) is kept, so that with the same vars
    as the step before dbt parses the project partially, as the incremental build's dbt does."""
    full.parent.mkdir(parents=True, exist_ok=True)
    for path in full.parent.iterdir():
        if path.name != "target":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    incremental_command = ["run", "--select", *select] if select else ["build"]
    full_command = ["run", "--select", *select] if select else ["build", "--exclude-resource-type", "test", "unit_test"]
    processes = {
        "incremental": dbt_process(incremental_command, incremental, raw_path, extra_vars),
        "full": dbt_process(full_command, full, raw_path, extra_vars),
    }
    for what, process in processes.items():
        output, _ = process.communicate(timeout=1800)
        if process.returncode != 0:
            pytest.fail(f"the {what} build failed:\n{output[-6000:]}")


def plan(db: Path) -> dict[str, tuple[str, str]]:
    rows = query(db, "select source_file, load_action, load_reason from staging.base_sales__raw_load_plan")
    return {Path(path).name: (action, reason) for path, action, reason in rows}


@pytest.fixture
def days() -> dict[str, list[str]]:
    """Three days of the sample's lines; line `repeated` of day 1 comes again in day 3."""
    lines = SAMPLE.read_text().splitlines()
    header, body = lines[0], lines[1:]
    day = {name: [header, *body[i * DAY_LINES : (i + 1) * DAY_LINES]] for i, name in enumerate(["day1", "day2", "day3"])}
    repeated = day["day1"][10]
    day["day3"].insert(50, repeated)
    # day 2 as re-exported: one line corrected, one left broken, the repeated line too
    changed = list(day["day2"])
    changed[20] = changed[20].replace(",USD,", ",EUR,", 1)
    changed[30] = changed[30][: len(changed[30]) // 2]
    changed.insert(40, repeated)
    day["day2 changed"] = changed
    return day


def test_incremental_builds_equal_a_full_build_at_every_step(tmp_path, days):
    raw = tmp_path / "raw"
    raw.mkdir()
    glob = str(raw / "day*.csv")
    incremental = tmp_path / "incremental" / "retail.duckdb"
    incremental.parent.mkdir()
    full = tmp_path / "full" / "retail.duckdb"

    def write(name: str, content: str) -> None:
        (raw / f"{name.split()[0]}.csv").write_text("\n".join(days[content]) + "\n")

    steps = [
        ("day 1", lambda: write("day1", "day1"), {"day1.csv": "load"}),
        ("add day 2", lambda: write("day2", "day2"), {"day1.csv": "keep", "day2.csv": "load"}),
        # day 3 repeats a line of day 1: day 1's line becomes the first of a group, so day 1
        # is parsed again
        ("add day 3", lambda: write("day3", "day3"), {"day1.csv": "load", "day2.csv": "keep", "day3.csv": "load"}),
        ("change day 2", lambda: write("day2", "day2 changed"), {"day2.csv": "load"}),
        # every file after day 1 moves up one place: their order_line_ids change
        ("remove day 1", lambda: (raw / "day1.csv").unlink(), {"day1.csv": "remove", "day2.csv": "load", "day3.csv": "load"}),
    ]
    for what, change, expected_actions in steps:
        change()
        build_both(incremental, full, glob)
        actions = plan(incremental)
        assert {name: actions[name][0] for name in expected_actions} == expected_actions, (what, actions)
        assert differences(incremental, full) == [], what

    # after day 1 went, day 2's copy of its line is the first of the group (file 1, line 41)
    refused = query(
        incremental,
        "select regexp_extract(source_file, 'day[0-9]'), source_line_number, quarantine_reason, duplicate_of_order_line_id"
        " from staging.stg_sales__quarantined_order_lines where source_file like '%day2.csv' and source_line_number"
        " in (21, 31, 41) or source_file like '%day3.csv' and source_line_number = 51 order by 1, 2",
    )
    assert refused == [
        ("day2", 21, "missing_fx_rate", None),
        ("day2", 31, "malformed_line", None),
        ("day3", 51, "duplicate_line", 1 * 10**10 + 41),
    ]


def test_unchanged_files_are_not_read_again(tmp_path, days):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ["day1", "day2"]:
        (raw / f"{name}.csv").write_text("\n".join(days[name]) + "\n")
    db = tmp_path / "retail.duckdb"
    glob_vars = {"raw_sales_path": str(raw / "day*.csv")}
    selected = ["run", "--select", "+base_sales__order_lines"]
    run_dbt(selected, db, glob_vars)
    first_load = query(db, "select source_file, load_id from staging.base_sales__raw_files order by 1")

    run_dbt(selected, db, glob_vars)
    assert query(db, "select count(*) from staging.base_sales__raw_lines") == [(0,)]
    assert query(db, "select source_file, load_id from staging.base_sales__raw_files order by 1") == first_load

    # a file rewritten with the same size and the same modification time is still seen to change
    day2 = raw / "day2.csv"
    status = day2.stat()
    day2.write_text(day2.read_text().replace("SO - ", "SO + ", 1))
    os.utime(day2, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert day2.stat().st_size == status.st_size
    run_dbt(selected, db, glob_vars)
    assert plan(db) == {
        "day1.csv": ("keep", "loaded before, unchanged"),
        "day2.csv": ("load", "changed file"),
    }

    # a warehouse built before incremental loads (no fingerprints, no record hashes): every file
    # is loaded, and the tables gain the columns
    con = duckdb.connect(str(db))
    for table, column in [("base_sales__raw_files", "file_fingerprint"), ("base_sales__order_lines", "load_id")]:
        con.execute(f"alter table staging.{table} drop column {column}")
    con.execute("alter table staging.base_sales__order_lines drop column record_hash")
    con.close()
    run_dbt(selected, db, glob_vars)
    assert plan(db) == {"day1.csv": ("load", "full build"), "day2.csv": ("load", "full build")}
    assert query(db, "select count(*) from staging.base_sales__order_lines where record_hash is null") == [(0,)]

    # --full-refresh reads every file again
    run_dbt([*selected, "--full-refresh"], db, glob_vars)
    assert {action for action, _ in plan(db).values()} == {"load"}
    assert query(db, "select count(*) from staging.base_sales__raw_lines") == [(2 * (DAY_LINES + 1),)]


def test_a_failed_load_leaves_the_warehouse_as_it_was(tmp_path, days):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "day1.csv").write_text("\n".join(days["day1"]) + "\n")
    db = tmp_path / "retail.duckdb"
    glob_vars = {"raw_sales_path": str(raw / "day*.csv")}
    selected = ["run", "--select", "+base_sales__order_lines"]
    run_dbt(selected, db, glob_vars)
    before = query(db, "select * exclude (load_id) from staging.base_sales__order_lines order by order_line_id")

    # a day whose lines are mostly broken: the build stops at base_sales__order_lines
    broken = [days["day2"][0], *(line[:10] for line in days["day2"][1:])]
    (raw / "day2.csv").write_text("\n".join(broken) + "\n")
    result = run_dbt(selected, db, glob_vars, expect_ok=False)
    assert not result.ok and "day2.csv" in result.output
    assert query(db, "select * exclude (load_id) from staging.base_sales__order_lines order by order_line_id") == before

    # once the file is fixed, the next build loads it (the earlier one did not finish)
    (raw / "day2.csv").write_text("\n".join(days["day2"]) + "\n")
    run_dbt(selected, db, glob_vars)
    assert plan(db)["day2.csv"] == ("load", "an earlier build did not finish loading it")
    assert query(db, "select count(distinct source_file) from staging.base_sales__order_lines") == [(2,)]


def test_excel_exports_are_read_once(tmp_path, days):
    """cp1252 CSV files (Excel on Windows) and .xlsx workbooks: a file is re-encoded or read
    from its workbook only when it is new or changed, and the lines equal a fresh build's."""
    from openpyxl import Workbook

    raw = tmp_path / "raw"
    raw.mkdir()
    incremental = tmp_path / "incremental" / "retail.duckdb"
    incremental.parent.mkdir()
    full = tmp_path / "full" / "retail.duckdb"
    copies = Path(f"{incremental}.utf8")
    cp1252 = {"raw_encoding": "cp1252"}
    select = ["+base_sales__order_lines"]
    compared = {"base_sales__order_lines", "base_sales__raw_files", "base_sales__raw_spreadsheet_rows"}

    def write_csv(name: str, lines: list[str]) -> None:
        # a euro sign: a byte (0x80) that only cp1252 reads
        (raw / name).write_bytes(("\n".join(lines).replace("WARE-", "WARE-€") + "\n").encode("cp1252"))

    def write_workbook(name: str, lines: list[str]) -> None:
        # every cell as text (the sample's lines include broken ones); typed cells are tested in
        # test_staging_real_world
        book = Workbook()
        for row in csv.reader(lines):
            book.active.append(row)
        book.save(raw / name)

    def copied() -> dict[str, int]:
        return {path.name: path.stat().st_mtime_ns for path in copies.glob("*.csv")}

    def first_workbook_row() -> str:
        rows = query(incremental, "select source_file from staging.base_sales__raw_spreadsheet_rows order by rowid limit 1")
        return Path(rows[0][0]).name

    write_csv("b.csv", days["day1"])
    write_workbook("b.xlsx", days["day2"])
    build_both(incremental, full, str(raw / "*"), select, cp1252)
    assert differences(incremental, full, compared) == []
    assert query(incremental, "select count(*) from staging.base_sales__raw_lines where line like '%WARE-€%'") == [(DAY_LINES,)]
    first_copies = copied()
    assert len(first_copies) == 1

    # a new CSV file and a new workbook, both before the others in name order: only they are read
    write_csv("a.csv", days["day3"][:200])
    write_workbook("a.xlsx", days["day3"][:1] + days["day3"][200:])
    build_both(incremental, full, str(raw / "*"), select, cp1252)
    assert differences(incremental, full, compared) == []
    now = copied()
    assert len(now) == 2 and {name: now[name] for name in first_copies} == first_copies
    # a workbook read again would have been written after a.xlsx, which comes first by name
    assert first_workbook_row() == "b.xlsx"

    # b.csv re-exported with a line changed: its copy is made again (under a new name); b.xlsx
    # is gone, and its rows with it
    write_csv("b.csv", days["day2 changed"])
    (raw / "b.xlsx").unlink()
    build_both(incremental, full, str(raw / "*"), select, cp1252)
    assert differences(incremental, full, compared) == []
    assert len(copied()) == 2 and set(first_copies) - set(copied()) == set(first_copies)
    assert query(incremental, "select count(distinct source_file) from staging.base_sales__raw_spreadsheet_rows") == [(1,)]

    # tables from before these models kept fingerprints: every file is read again
    before = copied()
    con = duckdb.connect(str(incremental))
    for table in ["base_sales__raw_transcoded_files", "base_sales__raw_spreadsheet_rows"]:
        con.execute(f"alter table staging.{table} drop column file_fingerprint")
    con.close()
    build_both(incremental, full, str(raw / "*"), select, cp1252)
    assert differences(incremental, full, compared) == []
    assert set(copied()) == set(before) and all(copied()[name] != before[name] for name in before)
    assert query(incremental, "select count(*) from staging.base_sales__raw_spreadsheet_rows where file_fingerprint is null") == [(0,)]

    # rows an older reader wrote, without typed_numbers (gained empty): the workbook is read again
    with duckdb.connect(str(incremental)) as con:
        con.execute("alter table staging.base_sales__raw_spreadsheet_rows drop column typed_numbers")
    build_both(incremental, full, str(raw / "*"), select, cp1252)
    assert differences(incremental, full, compared - {"base_sales__raw_spreadsheet_rows"}) == []
    rows = "select source_file, source_line_number, fields, typed_numbers from staging.base_sales__raw_spreadsheet_rows order by 1, 2"
    assert query(incremental, rows) == query(full, rows)

    # --full-refresh reads every file again
    before = copied()
    run_dbt(["run", "--select", *select, "--full-refresh"], incremental, {"raw_sales_path": str(raw / "*"), **cp1252})
    assert set(copied()) == set(before) and all(copied()[name] != before[name] for name in before)


def test_orders_catch_up_after_a_build_that_stopped_before_them(tmp_path, days):
    """int_orders_aggregated keeps its own record of the file loads it aggregated: a build that
    loaded files but stopped before the orders (here: a run of the raw layer only) leaves
    nothing for the next build to miss."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ["day1", "day2"]:
        (raw / f"{name}.csv").write_text("\n".join(days[name]) + "\n")
    incremental = tmp_path / "incremental" / "retail.duckdb"
    incremental.parent.mkdir()
    full = tmp_path / "full" / "retail.duckdb"
    glob = str(raw / "day*.csv")
    select = ["+int_orders_aggregated"]
    build_both(incremental, full, glob, select)
    assert differences(incremental, full, {"int_orders_aggregated"}) == []

    # day 2 changed and day 3 added, loaded by a build that stops before the orders
    (raw / "day2.csv").write_text("\n".join(days["day2 changed"]) + "\n")
    (raw / "day3.csv").write_text("\n".join(days["day3"]) + "\n")
    run_dbt(["run", "--select", "+base_sales__order_lines"], incremental, {"raw_sales_path": glob})
    # the next build loads nothing: every file was loaded, but the orders never saw two of them
    build_both(incremental, full, glob, select)
    assert {action for action, _ in plan(incremental).values()} == {"keep"}
    assert differences(incremental, full, {"int_orders_aggregated", "base_sales__order_lines"}) == []

    # a day of more lines for orders day 2 holds (each line new: another warehouse): those
    # orders span two files; removing the file leaves them with day 2's lines only, and day 2,
    # which shares no line with it, is kept
    more = [line.replace("WARE-", "WAREHOUSE-", 1) for line in days["day2"][1:300] if "WARE-" in line]
    (raw / "day4.csv").write_text("\n".join([days["day2"][0], *more]) + "\n")
    build_both(incremental, full, glob, select)
    assert differences(incremental, full, {"int_orders_aggregated"}) == []
    (raw / "day4.csv").unlink()
    build_both(incremental, full, glob, select)
    assert plan(incremental)["day4.csv"] == ("remove", "no longer behind raw_sales_path")
    assert plan(incremental)["day2.csv"][0] == "keep"
    assert differences(incremental, full, {"int_orders_aggregated"}) == []


def test_the_customers_file_is_read_again_only_when_it_changes(tmp_path, days):
    """base_sales__customers keeps its rows while the customers file and the setting it is read
    with stay the same, and reads the file whole again when either changes."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "day1.csv").write_text("\n".join(days["day1"]) + "\n")
    customers = tmp_path / "customers.csv"
    shutil.copy(PROJECT / "data" / "sample" / "customers.csv", customers)
    incremental = tmp_path / "incremental" / "retail.duckdb"
    incremental.parent.mkdir()
    full = tmp_path / "full" / "retail.duckdb"
    select = ["base_sales__customers", "stg_sales__customers", "stg_sales__quarantined_customers"]
    inputs = {"raw_customers_path": str(customers)}

    def build(extra_vars: dict | None = None) -> None:
        build_both(incremental, full, str(raw / "*.csv"), select, {**inputs, **(extra_vars or {})})
        assert differences(incremental, full, set(select)) == []

    def mark_rows() -> None:
        # a value no read of the file gives: it stays only while the rows are kept
        con = duckdb.connect(str(incremental))
        con.execute("update staging.base_sales__customers set raw_country = 'kept'")
        con.close()

    def kept() -> bool:
        rows = query(incremental, "select count(*) filter (where raw_country = 'kept'), count(*) from staging.base_sales__customers")
        assert rows[0][0] in (0, rows[0][1]), rows
        return rows[0][0] > 0

    build()
    mark_rows()
    run_dbt(["run", "--select", *select], incremental, {"raw_sales_path": str(raw / "*.csv"), **inputs})
    assert kept()

    # one income corrected: the file is read whole again
    text = customers.read_text()
    customers.write_text(text.replace("\n2,30,Male,41200,", "\n2,30,Male,41300,", 1))
    build()
    assert not kept()
    assert query(incremental, "select income from staging.stg_sales__customers where customer_id = 2") == [(41300,)]

    # another decimal separator reads the incomes differently: read again
    mark_rows()
    build({"raw_decimal_separator": ","})
    assert not kept()

    # a table from before it kept the load key: read again, and the rows gain it
    mark_rows()
    con = duckdb.connect(str(incremental))
    con.execute("alter table staging.base_sales__customers drop column load_key")
    con.close()
    build({"raw_decimal_separator": ","})
    assert not kept()
    assert query(incremental, "select count(*) from staging.base_sales__customers where load_key is null") == [(0,)]

    # no customers file any more: its rows go
    inputs = {}
    build()
    assert query(incremental, "select count(*) from staging.base_sales__customers") == [(0,)]


def test_a_daily_load_redoes_only_the_months_and_snapshots_it_changes(tmp_path):
    """A year of orders, then the export of each next day: int_monthly_sales_aggregated sums
    again only the month of the new day, int_monthly_orders_aggregated computes it again,
    int_customers_rfm_history_scored scores again only the snapshots whose orders changed (the
    as-of date; a month start when a day lands on it), and int_lifetime_sales_aggregated sums
    again only the stores and products of a removed file. A value written by hand into a row the
    day does not touch stays there (the row was kept), and once it is put back every mart
    equals a fresh full build. An order dated before a customer's first purchase makes the
    month that was their first computed again, though its orders did not change."""
    import datetime as dt

    from retail_segmentation.generator import Config, generate

    raw = tmp_path / "raw"
    raw.mkdir()
    glob = str(raw / "*.csv")
    incremental = tmp_path / "incremental" / "retail.duckdb"
    incremental.parent.mkdir()
    full = tmp_path / "full" / "retail.duckdb"
    models = [
        "fct_channel_performance",
        "fct_store_performance",
        "fct_product_performance",
        "fct_monthly_sales",
        "int_customers_rfm_history_scored",
        "dim_stores",
        "dim_products",
    ]
    select = [f"+{model}" for model in models]
    compared = {*models, "int_monthly_sales_aggregated", "int_monthly_orders_aggregated", "int_lifetime_sales_aggregated"}

    def export(name: str, lines: int, first: dt.date, last: dt.date, seed: int, order_prefix: str) -> None:
        drawn = tmp_path / "drawn.csv"
        generate(Config(lines=lines, customers=300, seed=seed, start_date=first, end_date=last), drawn, progress=False)
        (raw / name).write_text(drawn.read_text().replace("SO - ", order_prefix))

    month_row = "month_start_date = '2020-06-01' and sales_channel = 'Online'"
    month = "month_start_date = '2020-06-01'"

    def tamper(snapshot_row: str, store: str, sign: int) -> None:
        # a kept month's channel row (and the mart row it feeds), a kept snapshot's row, and the
        # all-time row of a store no day file has (and its dim_stores row)
        con = duckdb.connect(str(incremental))
        for table in ["intermediate.int_monthly_sales_aggregated", "main.fct_channel_performance"]:
            con.execute(f"update {table} set customers = customers + {1000 * sign} where {month_row}")
        for table in ["intermediate.int_monthly_orders_aggregated", "main.fct_monthly_sales"]:
            con.execute(f"update {table} set active_customers = active_customers + {1000 * sign} where {month}")
        history = "intermediate.int_customers_rfm_history_scored"
        con.execute(f"update {history} set recency_days = recency_days + {1000 * sign} where {snapshot_row}")
        con.execute(
            f"update intermediate.int_lifetime_sales_aggregated set orders = orders + {1000 * sign}"
            f" where member_type = 'store_id' and member_id = '{store}'"
        )
        con.execute(f"update main.dim_stores set orders = orders + {1000 * sign} where store_id = '{store}'")
        con.close()

    def tampered(snapshot_row: str, store: str) -> tuple:
        return (
            query(incremental, f"select customers from intermediate.int_monthly_sales_aggregated where {month_row}")[0][0],
            query(incremental, f"select customers from fct_channel_performance where {month_row}")[0][0],
            query(incremental, f"select active_customers from intermediate.int_monthly_orders_aggregated where {month}")[0][0],
            query(incremental, f"select active_customers from fct_monthly_sales where {month}")[0][0],
            query(incremental, f"select recency_days from intermediate.int_customers_rfm_history_scored where {snapshot_row}")[0][0],
            query(incremental, f"select orders from dim_stores where store_id = '{store}'")[0][0],
        )

    def day_stores() -> set[str]:
        """The stores of the day files (every file but the year's)."""
        stores = set()
        for path in raw.glob("*.csv"):
            if path.name != "a_2020.csv":
                with open(path, newline="") as exported:
                    stores |= {row["_StoreID"] for row in csv.DictReader(exported)}
        return stores

    def snapshots() -> list[str]:
        rows = query(incremental, "select distinct snapshot_date from intermediate.int_customers_rfm_history_scored order by 1")
        return [str(day) for (day,) in rows]

    export("a_2020.csv", 4000, dt.date(2020, 1, 1), dt.date(2020, 12, 31), 11, "SO - ")
    build_both(incremental, full, glob, select)
    assert differences(incremental, full, compared) == []
    assert snapshots()[0] == "2020-02-01" and snapshots()[-1] == "2021-01-01"

    steps = [
        # the next day's export: the as-of date moves to 2021-01-02, 2021-01-01 stays a month start
        ("add 2021-01-01", "2020-12-01", lambda: export("b_0101.csv", 400, dt.date(2021, 1, 1), dt.date(2021, 1, 1), 12, "SO - D")),
        ("add 2021-01-02", "2021-01-01", lambda: export("c_0102.csv", 400, dt.date(2021, 1, 2), dt.date(2021, 1, 2), 13, "SO - E")),
        # the first day's file removed: January and the 2021-01-01 snapshot lose its orders
        ("remove 2021-01-01", "2020-12-01", lambda: (raw / "b_0101.csv").unlink()),
    ]
    for what, kept_snapshot, change in steps:
        first_customer = query(
            incremental,
            f"select min(customer_id) from intermediate.int_customers_rfm_history_scored where snapshot_date = '{kept_snapshot}'",
        )[0][0]
        snapshot_row = f"snapshot_date = '{kept_snapshot}' and customer_id = '{first_customer}'"
        touched = day_stores()
        change()
        touched |= day_stores()
        listed = ", ".join(f"'{store}'" for store in touched)
        store = query(
            incremental,
            "select min(member_id) from intermediate.int_lifetime_sales_aggregated"
            f" where member_type = 'store_id' and member_id not in ({listed})",
        )[0][0]
        assert store is not None, what
        before = tampered(snapshot_row, store)
        tamper(snapshot_row, store, +1)
        build_both(incremental, full, glob, select)
        assert tampered(snapshot_row, store) == tuple(value + 1000 for value in before), what
        tamper(snapshot_row, store, -1)
        assert differences(incremental, full, compared) == [], what
    assert snapshots() == ["2020-03-01", *[f"2020-{month:02d}-01" for month in range(4, 13)], "2021-01-01", "2021-01-03"]

    # one order dated 2019-12-15 of a customer who first bought in a later month (a line of
    # theirs from 2020, under a new order number): their first month's orders stay the same,
    # but they are no longer new in it
    customer, first_month = query(
        incremental,
        "select customer_id, min(month_start_date) from ("
        " select customer_id, date_trunc('month', order_date) as month_start_date from staging.stg_sales__order_lines"
        " where not is_cancellation) group by customer_id"
        " having min(month_start_date) between '2020-02-01' and '2020-12-01' order by 2, 1 limit 1",
    )[0]
    line_number = query(
        incremental,
        f"select min(source_line_number) from staging.stg_sales__order_lines where customer_id = '{customer}'"
        " and source_file like '%a_2020.csv'",
    )[0][0]
    with open(raw / "a_2020.csv", newline="") as exported:
        header, *rows = list(csv.reader(exported))
    line = dict(zip(header, rows[line_number - 2]))
    assert line["_CustomerID"] == customer, (line, customer)
    line.update(OrderNumber="SO - Z000001", ProcuredDate="1/12/19", OrderDate="15/12/19", ShipDate="20/12/19", DeliveryDate="22/12/19")
    with open(raw / "d_backdated.csv", "w", newline="") as backdated:
        csv.writer(backdated).writerows([header, [line[column] for column in header]])
    new_customers = f"select new_customers from fct_monthly_sales where month_start_date = '{first_month}'"
    before = query(incremental, new_customers)[0][0]
    build_both(incremental, full, glob, select)
    assert differences(incremental, full, compared) == []
    assert query(incremental, new_customers) == [(before - 1,)]
    assert query(incremental, "select new_customers from fct_monthly_sales where month_start_date = '2019-12-01'") == [(1,)]
    (raw / "d_backdated.csv").unlink()

    # the last day of January removed too: January has no line left, and its rows go
    (raw / "c_0102.csv").unlink()
    build_both(incremental, full, glob, select)
    assert differences(incremental, full, compared) == []
    months = "select count(*) from intermediate.int_monthly_sales_aggregated where month_start_date >= '2021-01-01'"
    assert query(incremental, months) == [(0,)]

    # tables from before the fingerprints: every order, month and snapshot is done again, and
    # the tables gain the columns
    con = duckdb.connect(str(incremental))
    con.execute("alter table intermediate.int_orders_aggregated drop column order_hash")
    con.execute("alter table intermediate.int_customers_rfm_history_scored drop column orders_fingerprint")
    con.close()
    build_both(incremental, full, glob, select)
    assert differences(incremental, full, compared | {"int_orders_aggregated"}) == []
