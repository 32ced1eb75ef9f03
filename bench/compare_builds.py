"""Say whether two builds of the project hold the same data, relation by relation.

A refactoring must not change what the project produces. This script fingerprints every
staging model and public mart of a warehouse (row count, column names and types, and an
order-independent hash of its rows), and compares two fingerprints by relation name, so a model that moved to
another folder or schema still compares with itself.

    python bench/compare_builds.py fingerprint warehouse/build/retail.duckdb > before.json
    python bench/compare_builds.py compare before.json after.json

or, for two commits on the inputs named in CASES (generated on first use; each build's wall
time is printed to stderr):

    python bench/compare_builds.py refs f544f2f HEAD --cases sample 1m 1m_eu
    python bench/compare_builds.py refs f544f2f HEAD --ignore-columns fct_customer_segment_profiles.recommended_action

`compare` prints one line per relation and exits 1 when any relation differs or is missing.
Intermediate models are left out: they are internal and may be renamed or merged.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

COMPARED_PREFIXES = ("stg_", "fct_", "dim_")
PROJECT = Path(__file__).resolve().parents[1]
GENERATED = PROJECT / "data" / "generated"

# name -> (dbt vars, generator arguments of the raw file, or None for the committed sample)
CASES = {
    "sample": ({}, None),
    "1m": (
        {"raw_sales_path": str(GENERATED / "sales_1m.csv"), "raw_customers_path": str(GENERATED / "sales_1m.customers.csv")},
        ["--lines", "1000000", "--out", str(GENERATED / "sales_1m.csv"), "--customers-out", str(GENERATED / "sales_1m.customers.csv")],
    ),
    # make bench's 10M file: slow (about two minutes a build), so only when asked for
    "10m": (
        {"raw_sales_path": str(GENERATED / "sales_10m.csv"), "raw_customers_path": str(GENERATED / "sales_10m.customers.csv")},
        ["--lines", "10000000", "--out", str(GENERATED / "sales_10m.csv"), "--customers-out", str(GENERATED / "sales_10m.customers.csv")],
    ),
    # a European Excel export on Windows with 1% of its lines broken by hand
    "1m_eu": (
        {
            "raw_sales_path": str(GENERATED / "sales_1m_eu.csv"),
            "raw_customers_path": str(GENERATED / "sales_1m_eu.customers.csv"),
            "raw_encoding": "cp1252",
        },
        [
            "--lines",
            "1000000",
            "--seed",
            "7",
            "--out",
            str(GENERATED / "sales_1m_eu.csv"),
            "--customers-out",
            str(GENERATED / "sales_1m_eu.customers.csv"),
            "--delimiter",
            ";",
            "--decimal-comma",
            "--encoding",
            "cp1252",
            "--malformed-rate",
            "0.01",
        ],
    ),
}


def fingerprint(path: Path) -> dict[str, dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        relations = con.execute(
            """
            select schema_name, table_name from duckdb_tables() where database_name = current_database()
            union all
            select schema_name, view_name from duckdb_views()
            where database_name = current_database() and not internal
            order by 2, 1
            """
        ).fetchall()
        prints: dict[str, dict] = {}
        for schema, name in relations:
            if not name.startswith(COMPARED_PREFIXES):
                continue
            qualified = f'"{schema}"."{name}"'
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where database_name = current_database() and schema_name = ? and table_name = ? "
                "order by column_index",
                [schema, name],
            ).fetchall()
            # each row as its text, hashed; the sum and the xor of the hashes do not depend on
            # row order, and every digit of a double is in its text
            rows, digest = con.execute(
                f"""
                select count(*), cast(coalesce(sum(cast(row_hash as hugeint)), 0) as varchar) || ':'
                    || cast(coalesce(bit_xor(row_hash), 0) as varchar)
                from (select hash(cast(relation_row as varchar)) as row_hash from {qualified} as relation_row)
                """
            ).fetchall()[0]
            # and each column's values alone: what compare --ignore-columns falls back on
            column_digests = con.execute(
                "select "
                + ", ".join(
                    f'cast(coalesce(sum(cast(hash(cast("{column}" as varchar)) as hugeint)), 0) as varchar)' for column, _ in columns
                )
                + f" from {qualified}"
            ).fetchall()[0]
            prints[name] = {
                "schema": schema,
                "rows": rows,
                "columns": [list(c) for c in columns],
                "digest": digest,
                "column_digests": dict(zip([c for c, _ in columns], column_digests)),
            }
        return prints
    finally:
        con.close()


def compare(before: dict[str, dict], after: dict[str, dict], ignored: frozenset[str] = frozenset()) -> list[str]:
    """One line per relation; lines starting with 'DIFFERS' or 'MISSING' are failures. For a
    relation with an `ignored` column ('column', or 'relation.column' for one relation's), the
    rows are compared column by column without it (each other column's sorted values), and the
    line says which columns were left out."""
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            lines.append(f"MISSING {name}: only in {'after' if old is None else 'before'}")
            continue
        left_out = sorted(c for c in new["column_digests"] if c in ignored or f"{name}.{c}" in ignored)
        if left_out:
            values_same = all(
                old["column_digests"].get(column) == digest for column, digest in new["column_digests"].items() if column not in left_out
            )
        else:
            values_same = old["digest"] == new["digest"]
        problems = [
            what
            for what, same in [
                (f"rows {old['rows']} -> {new['rows']}", old["rows"] == new["rows"]),
                ("columns", old["columns"] == new["columns"]),
                ("values", values_same),
            ]
            if not same
        ]
        note = f" (without {', '.join(left_out)})" if left_out else ""
        if problems:
            lines.append(f"DIFFERS {name}{note}: " + ", ".join(problems))
        else:
            lines.append(f"same    {name}: {new['rows']} rows{note}")
    return lines


def build_ref(ref: str, case: str, work: Path) -> dict[str, dict]:
    """`dbt build` of commit `ref` on input `case` in its own directory; its fingerprint, kept
    in bench/results/fingerprints/ by commit, so a commit is built once per case."""
    sha = subprocess.run(["git", "rev-parse", ref], cwd=PROJECT, check=True, capture_output=True, text=True).stdout.strip()
    cached = PROJECT / "bench" / "results" / "fingerprints" / f"{sha}_{case}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    dbt_vars, generator_args = CASES[case]
    if generator_args and not Path(dbt_vars["raw_sales_path"]).exists():
        subprocess.run([sys.executable, "-m", "retail_segmentation.generator", "--quiet", *generator_args], cwd=PROJECT, check=True)
    source = work / "project"
    source.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=PROJECT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(source / "profiles"),
        DUCKDB_PATH=str(work / "retail.duckdb"),
        DUCKDB_PUBLISH_PATH=str(work / "published.duckdb"),
        DUCKDB_TEMP_DIRECTORY=str(work / "duckdb_tmp"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    dbt = str(Path(sys.executable).parent / "dbt")
    started = time.monotonic()
    proc = subprocess.run([dbt, "build", "--vars", json.dumps(dbt_vars)], cwd=source, env=env, capture_output=True, text=True)
    print(f"dbt build of {ref} on {case}: {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
    if proc.returncode != 0:
        raise SystemExit(f"dbt build of {ref} on {case} failed:\n" + "\n".join(proc.stdout.splitlines()[-30:]))
    prints = fingerprint(work / "retail.duckdb")
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(prints, indent=1, sort_keys=True))
    return prints


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fp = sub.add_parser("fingerprint", help="print a warehouse's fingerprint as JSON")
    fp.add_argument("warehouse", type=Path)
    cmp = sub.add_parser("compare", help="compare two fingerprints; exit 1 if any relation differs")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    cmp.add_argument("--ignore-columns", nargs="*", default=[], help="columns a change meant to alter: column or relation.column")
    refs = sub.add_parser("refs", help="build two commits on each case and compare them")
    refs.add_argument("before_ref")
    refs.add_argument("after_ref")
    refs.add_argument("--cases", nargs="+", choices=sorted(CASES), default=["sample", "1m", "1m_eu"])
    refs.add_argument("--ignore-columns", nargs="*", default=[], help="columns a change meant to alter: column or relation.column")
    args = parser.parse_args(argv)
    if args.command == "refs":
        failed = False
        for case in args.cases:
            with tempfile.TemporaryDirectory(prefix="compare_builds_") as tmp:
                before = build_ref(args.before_ref, case, Path(tmp) / "before")
                after = build_ref(args.after_ref, case, Path(tmp) / "after")
            lines = compare(before, after, frozenset(args.ignore_columns))
            failed |= any(not line.startswith("same") for line in lines)
            print(f"## {case}: {args.before_ref} vs {args.after_ref}")
            print("\n".join(lines), flush=True)
        return 1 if failed else 0
    if args.command == "fingerprint":
        json.dump(fingerprint(args.warehouse), sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    lines = compare(json.loads(args.before.read_text()), json.loads(args.after.read_text()), frozenset(args.ignore_columns))
    print("\n".join(lines))
    return 1 if any(not line.startswith("same") for line in lines) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
