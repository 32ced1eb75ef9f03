"""make export-hyper: every public mart of the published warehouse in one Tableau extract.

    .venv-hyper/bin/python -m retail_segmentation.hyper_export WAREHOUSE.duckdb exports/retail.hyper

Tableau opens a .hyper file natively, with no DuckDB driver. Each mart becomes a table of that
name in the extract's "public" schema with the same columns and types (DECIMAL stays NUMERIC,
DATE and TIMESTAMP stay dates and timestamps). Written with pantab over Tableau's Hyper API, one
mart at a time through Arrow (a mart is never held twice in memory), into a file beside the
target that is then renamed over it: a reader never sees half an extract. pantab and
tableauhyperapi (about 300 MB) are an optional extra, requirements-hyper.txt, installed into
their own environment by `make export-hyper`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def public_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("select table_name from information_schema.tables where table_schema = 'main' order by table_name").fetchall()
    return [name for (name,) in rows]


def export(warehouse: Path, out: Path) -> list[tuple[str, int]]:
    """Write every mart of `warehouse` into the extract `out`; return (mart, rows) written."""
    import pantab

    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run `make run` (a fully successful dbt build publishes it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(out.name + ".writing")
    staging.unlink(missing_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    written = []
    try:
        for mart in public_marts(con):
            table = con.sql(f'select * from main."{mart}"').to_arrow_table()
            pantab.frame_to_hyper(table, staging, table=mart, table_mode="a")
            written.append((mart, table.num_rows))
            del table
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    staging.replace(out)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m retail_segmentation.hyper_export WAREHOUSE.duckdb OUT.hyper", file=sys.stderr)
        return 2
    try:
        written = export(Path(argv[1]), Path(argv[2]))
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    out = Path(argv[2])
    print(
        f"Tableau extract: {out.resolve()} ({out.stat().st_size / 1e6:.1f} MB), {len(written)} marts, {sum(r for _, r in written):,} rows"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
