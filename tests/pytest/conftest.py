"""Shared helpers: run dbt against a throwaway warehouse file, read what it built."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from retail_segmentation.layouts import layout_header

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# the layouts' headers as exporting tools write them (dbt_project.yml, vars: raw_layouts)
RETAIL_CHAIN_HEADER = layout_header("retail_chain")
ONLINE_RETAIL_HEADER = layout_header("online_retail")


@dataclass
class DbtResult:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def published(db: Path) -> Path:
    """The published warehouse of the working file `db` in these tests (DUCKDB_PUBLISH_PATH)."""
    return db.with_name(db.stem + ".published.duckdb")


def dbt_env(db: Path, publish_path: Path | None = None) -> dict:
    """The environment of a dbt run against the working warehouse file `db` (run_dbt)."""
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT / "profiles"),
        DUCKDB_PATH=str(db),
        DUCKDB_PUBLISH_PATH=str(publish_path or published(db)),
        DUCKDB_TEMP_DIRECTORY=str(db.parent / "duckdb_tmp"),
        DBT_TARGET_PATH=str(db.parent / "target"),
        DBT_LOG_PATH=str(db.parent / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def dbt_args(command: list[str], vars: dict | None = None) -> list[str]:
    args = [str(BIN / "dbt"), *command]
    if vars:
        args += ["--vars", json.dumps(vars)]
    return args


def run_dbt(
    command: list[str],
    db: Path,
    vars: dict | None = None,
    expect_ok: bool = True,
    project: Path = PROJECT,
    publish_path: Path | None = None,
) -> DbtResult:
    """Run dbt in `project` against the working warehouse file `db`, publishing to publish_path
    (default published(db)); fail the test if it fails unexpectedly."""
    proc = subprocess.run(dbt_args(command, vars), cwd=project, env=dbt_env(db, publish_path), capture_output=True, text=True, timeout=1800)
    result = DbtResult(proc.returncode, proc.stdout + proc.stderr)
    if expect_ok and not result.ok:
        pytest.fail(f"dbt {' '.join(command)} failed:\n{result.output[-6000:]}")
    return result


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def frame(db: Path, sql: str) -> pd.DataFrame:
    """A query's result as a pandas frame."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).df()


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def assert_lines_land(db: Path, cases: list[tuple]) -> None:
    """cases[i] = (what the line was, expected reason or None for clean), for CSV line i + 2:
    each line is in exactly one of the clean and quarantine models, with the expected reason."""
    clean = {r[0] for r in query(db, "select source_line_number from staging.stg_sales__order_lines")}
    refused = dict(query(db, "select source_line_number, quarantine_reason from staging.stg_sales__quarantined_order_lines"))
    for i, (what, expected) in enumerate(cases):
        line = i + 2
        if expected is None:
            assert line in clean and line not in refused, (line, what, refused.get(line))
        else:
            assert refused.get(line) == expected and line not in clean, (line, what, refused.get(line))


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """The full build (dbt build: models, seeds, unit and data tests) on the embedded sample."""
    db = tmp_path_factory.mktemp("sample") / "retail.duckdb"
    run_dbt(["build"], db)
    return db


def environment_python(venv_name: str, requirements: str) -> Path:
    """The Python of one of the project's small side environments (make setup and make test build
    them; built here from its requirements file if missing)."""
    venv = PROJECT / venv_name
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(PROJECT / requirements)], check=True)
    return python


def duckdb_client_python(tag: str) -> Path:
    """The environment with one DuckDB client (tag 11: 1.1, 14: 1.4, 15: 1.5)."""
    return environment_python(f".venv-duckdb{tag}", f"requirements-duckdb{tag}.txt")


@pytest.fixture(scope="session")
def duckdb11_python():
    return duckdb_client_python("11")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """make test runs the suite on two pytest-xdist workers (--dist loadgroup), which hand out
    tests one by one. A test that uses a module-scoped fixture (one build that its module's tests
    share) joins its module's group, so the group runs on one worker and builds the fixture once;
    every other test goes to whichever worker is free. Without xdist the mark does nothing.
    tryfirst: xdist reads the marks in its own hook of this name."""
    for item in items:
        fixture_info = getattr(item, "_fixtureinfo", None)
        definitions = fixture_info.name2fixturedefs.values() if fixture_info else []
        if any(defs and defs[-1].scope == "module" for defs in definitions):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
