"""Write a segmentation fit from a DuckDB build as a dbt seed, for engines that score it in SQL.

On open-source Spark the segmentation is not fitted (no dbt Python models there): the SQL twin
of int_segment_model_fitted reads the rows of a fit from the seed the var
segmentation_parameters_seed names. This writes those rows, every column of
int_segment_model_fitted in a fixed row order, doubles in shortest round-trip form (the same
doubles come back), so one fit on DuckDB scores the same customers on Spark.

    python -m retail_segmentation.parameter_seed WAREHOUSE.duckdb seeds/NAME.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

FITTED_MODEL = "int_segment_model_fitted"
ROW_ORDER = "parameter_type, cluster_id nulls first, feature_position nulls first, k nulls first"
# whole numbers the Python model stores as doubles (pandas' NaN): written as whole numbers
WHOLE_NUMBERS = ("cluster_id", "feature_position", "k", "customers_evaluated")


def write_seed(warehouse: Path, out: Path) -> int:
    """Copy the fitted rows to out as CSV (DuckDB writes doubles in shortest round-trip form)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schemas = con.execute("select table_schema from information_schema.tables where table_name = ?", [FITTED_MODEL]).fetchall()
        if len(schemas) != 1:
            raise SystemExit(f"{warehouse}: expected one table {FITTED_MODEL}, found {len(schemas)} (build the project first)")
        whole = ", ".join(f"cast({c} as bigint) as {c}" for c in WHOLE_NUMBERS)
        query = f'select * replace ({whole}) from "{schemas[0][0]}".{FITTED_MODEL} order by {ROW_ORDER}'
        con.execute(f"copy ({query}) to '{out}' (header, delimiter ',')")
        return con.execute(f"select count(*) from ({query})").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path, help="a DuckDB file built by dbt build")
    parser.add_argument("out", type=Path, help="the seed to write, e.g. seeds/segment_model_parameters_sample.csv")
    args = parser.parse_args()
    print(f"{args.out}: {write_seed(args.warehouse, args.out)} rows of {FITTED_MODEL} from {args.warehouse}")


if __name__ == "__main__":
    main()
