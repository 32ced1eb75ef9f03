"""Print where the published warehouse is (the file BI tools open) and each mart in it with its rows."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def summarize(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        relations = con.execute(
            """
            select schema_name, table_name, 'table' as kind from duckdb_tables()
            where database_name = current_database()
            union all
            select schema_name, view_name, 'view' from duckdb_views()
            where database_name = current_database() and not internal
            order by 1, 2
            """
        ).fetchall()
        lines = [f"published warehouse (open this file in BI tools): {path.resolve()} ({path.stat().st_size / 1e6:.1f} MB)"]
        for schema, name, kind in relations:
            rows = con.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
            lines.append(f"  {schema + '.' + name:<58} {kind:<5} {rows:>12,} rows")
        return "\n".join(lines)
    finally:
        con.close()


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "warehouse/retail.duckdb")
    if not path.exists():
        print(f"no published warehouse at {path}: run `make run` (a fully successful dbt build publishes it)", file=sys.stderr)
        return 1
    print(summarize(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
