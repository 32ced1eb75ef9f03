"""to_pandas: a Python model's input as pandas from DuckDB and from the other engines' data frames."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from retail_segmentation.frames import to_pandas


class SnowparkLike:
    """Stands in for a Snowpark DataFrame: select() and to_pandas(), unquoted names upper-cased,
    rows in no particular order."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def select(self, *columns: str) -> SnowparkLike:
        return SnowparkLike(self.frame[[c.upper() for c in columns]])

    def to_pandas(self) -> pd.DataFrame:
        return self.frame.copy()


class SparkLike:
    """Stands in for a Spark DataFrame: select() and toPandas()."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def select(self, *columns: str) -> SparkLike:
        return SparkLike(self.frame[[c.upper() for c in columns]])

    def filter(self, condition: str) -> SparkLike:
        # the one condition these tests pass, as Spark would read it
        assert condition == "age >= 30"
        return SparkLike(self.frame[self.frame["AGE"] >= 30])

    def toPandas(self) -> pd.DataFrame:  # noqa: N802 (Spark's name)
        return self.frame.copy()


ROWS = pd.DataFrame({"CUSTOMER_ID": ["C3", "C1", "C2"], "MONETARY": [30.0, 10.0, 20.0], "AGE": [40, 20, 30]})


def test_a_duckdb_relation_is_selected_and_sorted_in_the_engine():
    con = duckdb.connect()
    con.register("rows", ROWS.rename(columns=str.lower))
    relation = con.sql("select customer_id, monetary, age from rows")
    frame = to_pandas(relation, columns=["customer_id", "monetary"], order_by=["customer_id"])
    assert list(frame.columns) == ["customer_id", "monetary"]
    assert frame["customer_id"].tolist() == ["C1", "C2", "C3"]
    assert frame["monetary"].tolist() == [10.0, 20.0, 30.0]


@pytest.mark.parametrize("frame_type", [SnowparkLike, SparkLike])
def test_other_engines_frames_come_back_lower_case_and_sorted(frame_type):
    frame = to_pandas(frame_type(ROWS), columns=["customer_id", "age"], order_by=["customer_id"])
    assert list(frame.columns) == ["customer_id", "age"]
    assert frame["customer_id"].tolist() == ["C1", "C2", "C3"]
    assert frame["age"].tolist() == [20, 30, 40]
    assert frame.index.tolist() == [0, 1, 2]


def test_a_condition_filters_the_rows_in_the_engine():
    con = duckdb.connect()
    con.register("rows", ROWS.rename(columns=str.lower))
    relation = con.sql("select customer_id, monetary, age from rows")
    frame = to_pandas(relation, columns=["customer_id"], order_by=["customer_id"], where="age >= 30")
    assert frame["customer_id"].tolist() == ["C2", "C3"]
    frame = to_pandas(SparkLike(ROWS), columns=["customer_id"], order_by=["customer_id"], where="age >= 30")
    assert frame["customer_id"].tolist() == ["C2", "C3"]
    assert frame.index.tolist() == [0, 1]
    with pytest.raises(TypeError, match="cannot filter a SnowparkLike in its engine"):
        to_pandas(SnowparkLike(ROWS), where="age >= 30")


def test_all_columns_when_none_are_named():
    frame = to_pandas(SparkLike(ROWS))
    assert list(frame.columns) == ["customer_id", "monetary", "age"]
    assert frame["customer_id"].tolist() == ["C3", "C1", "C2"]


def test_an_unknown_object_is_a_clear_error():
    with pytest.raises(TypeError, match="cannot read a list as pandas"):
        to_pandas([1, 2, 3])
