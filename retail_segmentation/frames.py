"""A dbt Python model's input as a pandas DataFrame, on whichever engine runs the model.

dbt hands a Python model its refs as the engine's own objects: DuckDB relations (dbt-duckdb),
Spark DataFrames (Databricks), Snowpark DataFrames (Snowflake), BigQuery DataFrames. The model
files call to_pandas and stay the same on each; the engine-specific calls live here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def to_pandas(relation, columns: Sequence[str] | None = None, order_by: Sequence[str] = (), where: str | None = None) -> pd.DataFrame:
    """The relation's columns (all, or those named) as pandas, rows sorted by order_by; with
    `where` (a SQL condition), only the rows it holds for, filtered in the engine, so a model
    reading a table part by part never holds the whole of it.

    DuckDB selects and sorts in the engine (on every core); the others select in the engine and
    sort in pandas (stable), so the row order is the same everywhere. Column names come back in
    lower case (Snowflake returns unquoted names upper-cased).
    """
    if where is not None:
        if not hasattr(relation, "filter"):
            raise TypeError(f"cannot filter a {type(relation).__name__} in its engine: expected a DuckDB, Spark or Snowpark DataFrame")
        relation = relation.filter(where)
    if hasattr(relation, "df") and hasattr(relation, "order"):
        if columns:
            relation = relation.select(*columns)
        if order_by:
            relation = relation.order(", ".join(order_by))
        return relation.df()
    if columns:
        relation = relation.select(*columns)
    if hasattr(relation, "toPandas"):
        frame = relation.toPandas()
    elif hasattr(relation, "to_pandas"):
        frame = relation.to_pandas()
    else:
        raise TypeError(f"cannot read a {type(relation).__name__} as pandas: expected a DuckDB, Spark, Snowpark or BigQuery DataFrame")
    frame.columns = [str(c).lower() for c in frame.columns]
    if order_by:
        frame = frame.sort_values(list(order_by), kind="stable", ignore_index=True)
    return frame
