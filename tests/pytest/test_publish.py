"""The published warehouse BI tools open: replaced whole after a fully successful dbt build, and
by nothing else (a failed build, a failing test, a build killed at any point, an open reader)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import BIN, PROJECT, duckdb_client_python, published, query, run_dbt

from retail_segmentation.generator import Config, generate
from retail_segmentation.publish import file_identity

pytestmark = pytest.mark.dbt

PUBLIC_MARTS = [
    "dim_clv_model_parameters", "dim_customer_segments", "dim_customers", "dim_products", "dim_segment_model_parameters",
    "dim_stores", "fct_channel_performance", "fct_churn_model_evaluation", "fct_cohort_retention", "fct_customer_churn_risk",
    "fct_customer_lifetime_value", "fct_customer_rfm", "fct_customer_segment_profiles", "fct_data_quality", "fct_experiment_readout",
    "fct_monthly_sales",
    "fct_product_performance", "fct_rfm_segment_history", "fct_rfm_segment_migration", "fct_rfm_segment_summary", "fct_sales",
    "fct_segment_model_selection", "fct_store_performance",
]  # fmt: skip

# Every cross-mart reconciliation a published warehouse must satisfy: the marts of one build agree.
RECONCILIATIONS = [
    "select sum(net_revenue) from fct_sales",
    "select sum(net_revenue) from fct_monthly_sales",
    "select sum(net_revenue) from fct_channel_performance",
    "select sum(net_revenue) from fct_store_performance",
    "select sum(net_revenue) from fct_product_performance",
    "select sum(monetary) from fct_customer_rfm",
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sales(tmp_path: Path, lines: int, seed: int) -> dict:
    path = tmp_path / f"sales_{seed}.csv"
    generate(Config(lines=lines, customers=max(50, lines // 15), seed=seed), path)
    return {"raw_sales_path": str(path)}


def reconciled(db: Path) -> list:
    """The reconciliation sums of a warehouse file; all equal in a consistent one."""
    sums = [query(db, sql)[0][0] for sql in RECONCILIATIONS]
    assert len(set(sums)) == 1, sums
    return sums


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("publish")
    db = tmp / "build" / "retail.duckdb"
    vars = sales(tmp, 2000, seed=1)
    run_dbt(["build"], db, vars)
    return tmp, db, vars


def test_a_full_build_publishes_every_public_mart_as_a_table(first_build):
    _, db, _ = first_build
    pub = published(db)
    tables = query(pub, "select table_schema, table_name, table_type from information_schema.tables order by 2")
    assert tables == [("main", name, "BASE TABLE") for name in PUBLIC_MARTS]
    for name in PUBLIC_MARTS:
        assert query(pub, f"select count(*) from {name}") == query(db, f"select count(*) from main.{name}"), name
    reconciled(pub)
    assert not list(pub.parent.glob(".*publishing*"))


def test_published_marts_carry_their_keys_but_the_history(first_build):
    _, db, _ = first_build
    keyed = query(
        published(db),
        "select table_name, constraint_type, constraint_column_names from duckdb_constraints()"
        " where constraint_type in ('PRIMARY KEY', 'UNIQUE') order by 1",
    )
    tables = [row[0] for row in keyed]
    assert sorted(set(tables)) == sorted(set(PUBLIC_MARTS) - {"fct_rfm_segment_history"})
    assert ("fct_customer_lifetime_value", "PRIMARY KEY", ["customer_id"]) in keyed


@pytest.mark.parametrize("tag, version", [("11", "1.1."), ("14", "1.4."), ("15", "1.5.")])
def test_the_published_file_opens_in_the_duckdb_clients_bi_drivers_embed(first_build, tag, version, tmp_path):
    _, db, _ = first_build
    keys_sql = (
        "select string_agg(table_name || ':' || replace(constraint_type, ' ', '_'), ',')"
        " from duckdb_constraints() where schema_name = 'main' and constraint_type in ('PRIMARY KEY', 'UNIQUE')"
    )
    # the ids are read back too: the publish writes them FSST-compressed (the test below)
    ids_sql = "select count(distinct order_id) || '/' || max(customer_id) from fct_sales"
    script = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('select count(*) from fct_sales').fetchall()[0][0], "
        "con.execute(sys.argv[2]).fetchall()[0][0], con.execute(sys.argv[3]).fetchall()[0][0], duckdb.__version__)"
    )
    python = duckdb_client_python(tag)
    proc = subprocess.run([str(python), "-c", script, str(published(db)), keys_sql, ids_sql], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rows, keys, ids, seen = proc.stdout.split()
    assert seen.startswith(version) and int(rows) == query(db, "select count(*) from fct_sales")[0][0]
    assert ids == query(db, ids_sql)[0][0]
    # the keys the publish adds after the rows (which marts: the test above) are in the file this client reads
    assert sorted(keys.split(",")) == sorted(query(published(db), keys_sql)[0][0].split(","))


def test_published_ids_are_written_with_the_compression_their_meta_names(first_build):
    """Columns whose meta sets published_compression (the ids) are declared and stored with it; the
    other text columns keep DuckDB's choice (a dictionary for the few sales channels)."""
    _, db, _ = first_build
    storage = "select distinct compression from pragma_storage_info(?) where column_name = ? and segment_type = 'VARCHAR'"
    for table, column in [("fct_sales", "order_id"), ("fct_sales", "customer_id"), ("dim_customers", "customer_id")]:
        assert query(published(db), storage, [table, column]) == [("FSST",)], (table, column)
    assert query(published(db), storage, ["fct_sales", "sales_channel"]) == [("Dictionary",)]
    declared = query(published(db), "select sql from duckdb_tables() where table_name = 'fct_rfm_segment_history'")[0][0]
    assert "customer_id VARCHAR USING COMPRESSION FSST" in declared, declared


READER = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("select count(*) from fct_sales").fetchall()[0][0], flush=True)
sys.stdin.readline()  # held open until the build is over
print(con.execute("select count(*) from fct_sales").fetchall()[0][0], flush=True)
con.close()  # reconnecting: a new connection once the old one is closed (DuckDB caches an open file's instance)
fresh = duckdb.connect(sys.argv[1], read_only=True)
print(fresh.execute("select count(*) from fct_sales").fetchall()[0][0], flush=True)
"""


def test_a_reader_holding_the_published_file_is_undisturbed(first_build, tmp_path):
    tmp, db, _ = first_build
    work = tmp_path / "build" / "retail.duckdb"
    work.parent.mkdir()
    shutil.copy(db, work)
    shutil.copy(published(db), published(work))
    before = query(published(work), "select count(*) from fct_sales")[0][0]
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published(work))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert int(reader.stdout.readline()) == before
        run_dbt(["build"], work, sales(tmp_path, 3000, seed=2))  # passes with the reader attached
        out, _ = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    held, fresh = (int(x) for x in out.split())
    after = query(published(work), "select count(*) from fct_sales")[0][0]
    assert held == before != after == fresh


def test_a_failing_data_test_leaves_the_published_file_byte_identical(first_build, tmp_path):
    """A copy of the project with one more data test, which fails: every model builds, the test
    fails, and the published file stays as it was."""
    tmp, db, vars = first_build
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns(".venv*", "target", "logs", "warehouse", "data", ".git"))
    shutil.copytree(PROJECT / "data" / "sample", project / "data" / "sample")
    (project / "tests" / "assert_always_fails.sql").write_text("select 1 as failing_row from {{ ref('fct_sales') }} limit 1\n")
    work = tmp_path / "build" / "retail.duckdb"
    work.parent.mkdir()
    shutil.copy(db, work)
    shutil.copy(published(db), published(work))
    before = digest(published(work))
    result = run_dbt(["build"], work, sales(tmp_path, 3000, seed=3), expect_ok=False, project=project)
    assert "assert_always_fails" in result.output and not result.ok
    assert "left as it was: 1 node(s) failed or errored (assert_always_fails), " in result.output, result.output[-3000:]
    assert digest(published(work)) == before


def test_a_build_killed_at_any_point_leaves_the_old_or_the_new_warehouse(first_build, tmp_path):
    """SIGKILL at ten points spread over a build (the last ones inside the publish step): the
    published file is byte-identical to the old one, or a whole new one whose marts reconcile."""
    tmp, db, _ = first_build
    work = tmp_path / "build" / "retail.duckdb"
    work.parent.mkdir()
    shutil.copy(db, work)
    shutil.copy(published(db), published(work))
    old = digest(published(work))
    vars = sales(tmp_path, 3000, seed=4)
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT / "profiles"), DUCKDB_PATH=str(work), DUCKDB_PUBLISH_PATH=str(published(work)),
        DUCKDB_TEMP_DIRECTORY=str(tmp_path / "duckdb_tmp"), DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"), DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )  # fmt: skip
    command = [str(BIN / "dbt"), "build", "--vars", json.dumps(vars)]

    def build(kill_after: float | None = None, kill_when_publishing: bool = False) -> int:
        proc = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        started = time.monotonic()
        staging = published(work).with_name(f".{published(work).name}.publishing")
        while proc.poll() is None:
            if (kill_after is not None and time.monotonic() - started >= kill_after) or (kill_when_publishing and staging.exists()):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return -9
            time.sleep(0.02)
        return proc.returncode

    started = time.monotonic()
    assert build() == 0  # a whole build, to time it (and it publishes: the new warehouse)
    duration = time.monotonic() - started
    new = digest(published(work))
    assert new != old
    outcomes = []
    for point in [duration * i / 10 for i in range(1, 9)] + [None, None]:
        shutil.copy(published(db), published(work))  # back to the old warehouse
        code = build(kill_after=point, kill_when_publishing=point is None)
        after = digest(published(work))
        if after != old:
            reconciled(published(work))
        outcomes.append((point, code, "old" if after == old else "new"))
    assert [o for o in outcomes if o[1] == -9], outcomes  # the kills landed
    # the next build cleans up what a killed publish left and publishes
    assert build() == 0
    assert not list(published(work).parent.glob(f".{published(work).name}.publishing*"))
    reconciled(published(work))


def test_a_full_disk_while_publishing_leaves_the_published_file_byte_identical(first_build, tmp_path):
    """The published file on a filesystem with room for it but not for a second copy: writing the
    new one fails with "No space left", the build fails, the published file is untouched. Needs
    a small tmpfs (mounting one needs root, as CI runs); without it, the new file's place is taken
    by a directory, another way its write fails."""
    tmp, db, vars = first_build
    work = tmp_path / "build" / "retail.duckdb"
    work.parent.mkdir()
    shutil.copy(db, work)
    small = tmp_path / "small"
    small.mkdir()
    size = published(db).stat().st_size
    mounted = (
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size + (1 << 20)}", "tmpfs", str(small)], capture_output=True).returncode == 0
    )
    try:
        target = small / "retail.duckdb"
        shutil.copy(published(db), target)
        if not mounted:
            (small / ".retail.duckdb.publishing").mkdir()
        before = digest(target)
        result = run_dbt(["build"], work, vars, expect_ok=False, publish_path=target)
        assert not result.ok
        assert ("No space left" in result.output) if mounted else ("publishing" in result.output), result.output[-3000:]
        assert digest(target) == before
    finally:
        if mounted:
            subprocess.run(["umount", str(small)], check=True)


def test_a_locked_working_file_stops_the_build_in_one_line(first_build, tmp_path):
    tmp, db, vars = first_build
    work = tmp_path / "build" / "retail.duckdb"
    work.parent.mkdir()
    shutil.copy(db, work)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.readline()",
            str(work),
        ],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        result = run_dbt(["build"], work, vars, expect_ok=False)
    finally:
        holder.communicate("done\n", timeout=60)
    assert not result.ok and "Traceback" not in result.output
    assert f"The working warehouse '{work}' is in use by process {holder.pid} (" in result.output, result.output[-2000:]
    assert f"BI tools should open the published file '{published(work)}'" in result.output


def test_a_warehouse_file_changed_by_duckdb_has_another_identity(tmp_path):
    """The identity a publish records beside the parts it published: the same for a byte-for-byte
    copy with the same modification time, another after DuckDB changes the file (it rewrites its
    headers, in the first MiB, at every checkpoint) even where size and modification time are put
    back; none for a file with a write-ahead log beside it, or no file."""
    path = tmp_path / "published.duckdb"
    con = duckdb.connect(str(path), config={"storage_compatibility_version": "v1.1.0"})
    con.execute("create table fct_sales as select range as order_line_id, range % 7 as quantity from range(200000)")
    con.close()
    first = file_identity(str(path))
    copied = tmp_path / "copied.duckdb"
    shutil.copy2(path, copied)
    assert first and file_identity(str(copied)) == first
    headers = path.read_bytes()[:12288]
    con = duckdb.connect(str(path))
    con.execute("update fct_sales set quantity = quantity + 1 where order_line_id = 100000")
    con.close()
    assert file_identity(str(path)) not in ("", first)
    assert path.read_bytes()[:12288] != headers
    # the copy given the new headers, its size and modification time unchanged
    status = copied.stat()
    with open(copied, "r+b") as file:
        file.write(path.read_bytes()[:12288])
    os.utime(copied, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert copied.stat().st_size == status.st_size and file_identity(str(copied)) not in ("", first)
    (tmp_path / "published.duckdb.wal").write_bytes(b"")
    assert file_identity(str(path)) == ""
    assert file_identity(str(tmp_path / "missing.duckdb")) == ""


def test_a_daily_load_publishes_only_the_lines_that_changed(tmp_path):
    """A build that adds a day carries the published fct_sales over and writes only the new
    file's lines (and those of a file changed since); the published warehouse still equals the
    build's marts, keeps its keys and opens in DuckDB 1.1."""
    raw = tmp_path / "raw"
    raw.mkdir()
    generated = tmp_path / "sales.csv"
    generate(Config(lines=3000, customers=200, seed=5), generated)
    header, *lines = generated.read_text().splitlines()
    (raw / "day1.csv").write_text("\n".join([header, *lines[:2000]]) + "\n")
    db = tmp_path / "build" / "retail.duckdb"
    vars = {"raw_sales_path": str(raw / "day*.csv")}
    first = run_dbt(["build"], db, vars)
    assert "parts written again" not in first.output

    def published_equals_build() -> None:
        pub = published(db)
        con = duckdb.connect()
        con.execute(f"attach '{db}' as build (read_only)")
        con.execute(f"attach '{pub}' as pub (read_only)")
        for name in PUBLIC_MARTS:
            for a, b in [("build", "pub"), ("pub", "build")]:
                extra = con.execute(f"select count(*) from (from {a}.main.{name} except all from {b}.main.{name})").fetchone()[0]
                assert extra == 0, (name, a)
        con.close()
        reconciled(pub)
        keys = query(
            pub,
            "select constraint_column_names from duckdb_constraints() where table_name = 'fct_sales' and constraint_type = 'PRIMARY KEY'",
        )
        assert keys == [(["order_line_id"],)]

    (raw / "day2.csv").write_text("\n".join([header, *lines[2000:]]) + "\n")
    added = run_dbt(["build"], db, vars)
    day2_rows = query(db, "select count(*) from fct_sales where order_line_id // 10000000000 = 2")[0][0]
    assert f"fct_sales: 1 of 2 parts written again, {day2_rows} of " in added.output, added.output[-3000:]
    # the full build's publish wrote fct_sales whole, recording nothing: the published parts are hashed
    assert "published parts hashed from the file" in added.output, added.output[-3000:]
    published_equals_build()

    # day 2 re-exported with one line changed: its lines are written again, under the same keys
    day2 = (raw / "day2.csv").read_text().splitlines()
    day2[5] = day2[5].replace("SO - ", "SO + ", 1)
    (raw / "day2.csv").write_text("\n".join(day2) + "\n")
    changed = run_dbt(["build"], db, vars)
    assert "fct_sales: 1 of 2 parts written again" in changed.output, changed.output[-3000:]
    # this time from what the last publish recorded of the file it wrote
    assert "published parts from the last publish's record" in changed.output, changed.output[-3000:]
    assert "hashed from the file" not in changed.output, changed.output[-3000:]
    published_equals_build()
    script = (
        "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True).execute('select count(*) from fct_sales').fetchall()[0][0])"
    )
    proc = subprocess.run([str(duckdb_client_python("11")), "-c", script, str(published(db))], capture_output=True, text=True)
    assert proc.returncode == 0 and int(proc.stdout) == query(db, "select count(*) from fct_sales")[0][0], proc.stderr

    # a published table whose columns are not the contract's is written whole
    con = duckdb.connect(str(published(db)))
    con.execute("alter table fct_sales add column stray integer")
    con.close()
    (raw / "day3.csv").write_text("\n".join([header, *[line.replace("SO - ", "SO - D", 1) for line in lines[2500:2600]]]) + "\n")
    rewritten = run_dbt(["build"], db, vars)
    assert "fct_sales: " not in rewritten.output
    assert "stray" not in [
        row[0] for row in query(published(db), "select column_name from duckdb_columns() where table_name = 'fct_sales'")
    ]
    published_equals_build()

    # the next day's export: of the RFM history only the snapshots it moves are written again
    # (the as-of date, and 2021-01-01, which counts the day's orders), the other month starts kept
    next_day = tmp_path / "next_day.csv"
    generate(Config(lines=200, customers=200, seed=6, start_date=dt.date(2021, 1, 1), end_date=dt.date(2021, 1, 1)), next_day)
    (raw / "day4.csv").write_text(next_day.read_text().replace("SO - ", "SO - N"))
    snapshots_before = {day for (day,) in query(published(db), "select distinct snapshot_date from fct_rfm_segment_history")}
    next_build = run_dbt(["build"], db, vars)
    snapshots_after = {day for (day,) in query(db, "select distinct snapshot_date from fct_rfm_segment_history")}
    moved = (snapshots_before ^ snapshots_after) | {dt.date(2021, 1, 1)}
    assert len(snapshots_after) == 12 and len(moved) <= 4, (snapshots_before, snapshots_after)
    history_rows = query(db, "select count(*) from fct_rfm_segment_history")[0][0]
    written = query(db, "select count(*) from fct_rfm_segment_history where snapshot_date in ?", [list(moved & snapshots_after)])[0][0]
    assert (
        f"fct_rfm_segment_history: {len(moved)} of {len(snapshots_before | snapshots_after)} parts written again, "
        f"{written} of {history_rows} rows" in next_build.output
    ), next_build.output[-3000:]
    published_equals_build()

    # two files changed, a kept one between them: the range the publish reads and deletes spans
    # the kept file's lines, which are neither written again nor lost
    for name in ["day2.csv", "day4.csv"]:
        text = (raw / name).read_text().splitlines()
        text[7] = text[7].replace("SO - ", "SO + ", 1)
        (raw / name).write_text("\n".join(text) + "\n")
    parts = sorted(part for (part,) in query(db, "select distinct order_line_id // 10000000000 from fct_sales"))
    kept_between = [part for part in parts if 2 < part < parts[-1]]
    assert kept_between, parts
    both = run_dbt(["build"], db, vars)
    written = query(db, "select count(*) from fct_sales where order_line_id // 10000000000 in (2, ?)", [parts[-1]])[0][0]
    assert f"fct_sales: 2 of {len(parts)} parts written again, {written} of " in both.output, both.output[-3000:]
    assert "hashed from the file" not in both.output, both.output[-3000:]
    published_equals_build()

    # someone changed a line of day 3 in the published file: it is no longer the file the last
    # publish recorded, so its parts are hashed, and day 3's lines are written again
    con = duckdb.connect(str(published(db)))
    con.execute(
        "update fct_sales set quantity = quantity + 1"
        " where order_line_id = (select min(order_line_id) from fct_sales where order_line_id // 10000000000 = ?)",
        [kept_between[0]],
    )
    con.close()
    edited = run_dbt(["build"], db, vars)
    written = query(db, "select count(*) from fct_sales where order_line_id // 10000000000 = ?", [kept_between[0]])[0][0]
    assert f"fct_sales: 1 of {len(parts)} parts written again, {written} of " in edited.output, edited.output[-3000:]
    assert "published parts from the last publish's record" not in edited.output, edited.output[-3000:]
    published_equals_build()
