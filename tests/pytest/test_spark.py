"""The same project on Apache Spark: `make spark` builds the sample on a local Spark session, and
every mart it builds equals the DuckDB build of the same sample, row for row."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import BIN, PROJECT, dbt_env

from retail_segmentation.parameter_seed import write_seed

pytestmark = pytest.mark.dbt

# Every mart Spark builds (the lifecycle marts need their Python fits: not on open-source Spark)
SPARK_MARTS = [
    "fct_sales",
    "fct_customer_rfm",
    "fct_rfm_segment_summary",
    "fct_channel_performance",
    "fct_store_performance",
    "fct_product_performance",
    "fct_monthly_sales",
    "fct_data_quality",
    "dim_customers",
    "dim_products",
    "dim_stores",
    "dim_customer_segments",
    "dim_segment_model_parameters",
    "fct_segment_model_selection",
    "fct_customer_segment_profiles",
]


# Reads every mart through Spark itself (tables and views alike) and writes each as one Parquet
# file: run with .venv-spark's Python on the warehouse make spark built.
EXPORT_MARTS = """
import sys
from pathlib import Path
from pyspark.sql import SparkSession

warehouse, out, marts = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
spark = (
    SparkSession.builder.master("local[2]")
    .config("spark.sql.warehouse.dir", str(warehouse))
    .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}/metastore")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.ui.enabled", "false")
    .enableHiveSupport()
    .getOrCreate()
)
for mart in marts:
    spark.table(f"main.{mart}").coalesce(1).write.mode("overwrite").parquet(str(out / mart))
"""


@pytest.fixture(scope="module")
def spark_marts(tmp_path_factory) -> Path:
    """`make spark` on the sample into a throwaway Spark warehouse; its marts as Parquet."""
    tmp = tmp_path_factory.mktemp("spark")
    env = dict(os.environ, SPARK_WAREHOUSE_DIR=str(tmp / "warehouse"), SPARK_LOCAL_IP="127.0.0.1")
    env.pop("DBT_VARS", None)
    proc = subprocess.run(["make", "--no-print-directory", "spark"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        pytest.fail(f"make spark failed:\n{(proc.stdout + proc.stderr)[-6000:]}")
    spark_python = PROJECT / ".venv-spark" / "bin" / "python"
    args = [str(spark_python), "-c", EXPORT_MARTS, str(tmp / "warehouse"), str(tmp / "marts"), *SPARK_MARTS]
    proc = subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        pytest.fail(f"reading the Spark marts failed:\n{proc.stderr[-6000:]}")
    return tmp / "marts"


def spark_table(marts: Path, mart: str) -> pd.DataFrame:
    """A mart as Spark computed it (the Parquet file spark_marts wrote), read with DuckDB.
    Spark names each raw file by its absolute path; DuckDB as the var gave it (relative to the
    project here): source_file is compared relative to the project."""
    frame = duckdb.sql(f"select * from read_parquet('{marts / mart}/*.parquet')").df()
    if "source_file" in frame.columns:
        prefix = f"{PROJECT.resolve()}/"
        frame["source_file"] = frame["source_file"].map(lambda path: path.removeprefix(prefix) if isinstance(path, str) else path)
    return frame


def duckdb_table(db: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(f"select * from main.{table}").df()


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), kind="stable", ignore_index=True, na_position="first")


def same_value(a, b) -> bool:
    """Equal, or both missing (None, NaN, NaT or pd.NA alike)."""
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b))
    return bool(a == b)


def assert_same_rows(table: str, spark: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal row for row: the same columns in the same order, the same values; doubles to 1e-9
    relative (the two engines may sum in another order), everything else exactly."""
    assert list(spark.columns) == list(expected.columns), table
    assert len(spark) == len(expected), table
    spark, expected = sorted_rows(spark), sorted_rows(expected)
    for column in expected.columns:
        left, right = spark[column], expected[column]
        if pd.api.types.is_float_dtype(right) or pd.api.types.is_float_dtype(left):
            a, b = left.to_numpy(dtype=float), right.to_numpy(dtype=float)
            assert np.array_equal(np.isnan(a), np.isnan(b)), (table, column)
            assert np.allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True), (table, column)
        else:
            mismatched = pd.Series([not same_value(a, b) for a, b in zip(left, right, strict=True)], index=left.index)
            assert not mismatched.any(), (table, column, pd.DataFrame({"spark": left[mismatched], "duckdb": right[mismatched]}).head())


@pytest.mark.parametrize("mart", SPARK_MARTS)
def test_every_spark_mart_equals_the_duckdb_build(spark_marts, sample_warehouse, mart):
    assert_same_rows(mart, spark_table(spark_marts, mart), duckdb_table(sample_warehouse, mart))


def test_every_customer_has_a_kmeans_segment_on_spark(spark_marts):
    customers = spark_table(spark_marts, "fct_customer_rfm")
    segments = spark_table(spark_marts, "dim_customer_segments")
    assert len(customers) > 1000
    assert set(segments["customer_id"]) == set(customers["customer_id"])
    assert segments["cluster_id"].notna().all() and segments["segment_name"].notna().all()


def test_the_shipped_segmentation_seed_is_the_samples_fit(sample_warehouse, tmp_path):
    """Spark scores the sample from seeds/segment_model_parameters_sample.csv: it must be what the
    DuckDB build of the sample fits (make segmentation-seed rewrites it when the fit changes).
    The same rows and columns, every text equal, every number to 1e-9 relative: the fit's last
    digits depend on the processor too (numpy and OpenBLAS pick their vector kernels by CPU
    model, and another kernel adds in another order), not only on the input and the code."""
    written = tmp_path / "fit.csv"
    write_seed(sample_warehouse, written)
    shipped = PROJECT / "seeds" / "segment_model_parameters_sample.csv"
    fitted, seed = (list(csv.reader(path.open(newline=""))) for path in (written, shipped))
    assert [len(row) for row in fitted] == [len(row) for row in seed], "the sample's fit changed: run make run, then make segmentation-seed"
    for fitted_row, seed_row in zip(fitted, seed, strict=True):
        for got, shipped_value in zip(fitted_row, seed_row, strict=True):
            try:
                a, b = float(got), float(shipped_value)
                same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))
            except ValueError:
                same = got == shipped_value
            assert same, (
                f"the sample's fit changed ({got!r} against the seed's {shipped_value!r}): run make run, then make segmentation-seed",
                fitted_row,
            )


def test_make_spark_says_how_to_get_java_when_it_is_missing(tmp_path):
    """Without java on PATH, make spark stops before installing anything and says what to install."""
    env = dict(os.environ, PATH=str(tmp_path))
    make = shutil.which("make")
    proc = subprocess.run([make, "--no-print-directory", "spark"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert "apt-get install openjdk-17-jdk-headless" in proc.stdout + proc.stderr


# Dates as exports write them, each read in both orders: parse_raw_timestamp picks formats by
# the value's separators on DuckDB and is one regular expression on Spark, so each shape is here,
# with the texts near it that are no date.
DATE_TEXTS = [
    "1/5/18", "15/6/2018", "31/02/2019", "1/6/218", "5/7/68", "5/7/69", "12/1/2010 8:26", "12/1/2010 8:26:59",
    "12/1/2010 8:26:60", "2020-06-15", "2020-6-5 10:30", "2020-06-15T10:30:00", "2020-06-15T10:30:00+01:00",
    "15.06.2018", "15.06.18 08:00", "05-01-19", "5-1-2019", "19-05-12", "05-01-2019 14:30",
    "5-Jan-19", "05-JAN-2019", "5-january-2019", "5 Jan 2019", "5 Jan 19 14:30", "Jan 5, 2019", "January 5, 2019 8:00 AM",
    "5-Jan 2019", "Sept 5, 2019", "5-Mär-19", "12/2/2010 8:26:00 PM", "12/2/2010 12:05 AM", "12/2/2010 12:05 pm",
    "12/2/2010 0:05 AM", "12/2/2010 13:05 PM", "2019-01-05T08:26 PM", "12/2/2010 8:26PM", " 5-Jan-19 ", "", "soon",
    "2020-06-15T10:30:00.123Z", "2019-04-15 12:05:17 -0400", "2020-06-15 10:30:00+00", "2020-06-15 10:30:00,250",
    "2020-06-15 10:30:00 UTC", "5 Jan 2019 10:00 GMT", "05-01-19 14:30Z", "15/06/2018 10:30,5", "12/2/2010 8:26:00pm",
    "12/2/2010 8:26:00.5 PM", "2020-06-15 10:30 PM Z", "12/1/2010 8:26:60Z", "2020-06-15Z", "2020-06-15 10:30:00.1234567890",
    "2020-06-15 10:30:00 CET", "2020-06-15 10:30:00+1", "15-févr.-18", "15-Mrz-18", "5 März 2019 8:00PM",
    "15 décembre 2018", "3-mag-2019", "5-janv.-19", "1-out-2019", "15 août 2018", "MÄRZ 5, 2019", "15-xyz-18", "15-Dez-18 10:30:00.000",
    "19-05-12 10:00Z",
]  # fmt: skip


# Numbers as exports write them, each read with both decimal separators (and a percent sign
# allowed, as for a discount): parse_raw_number is one macro on both engines, its pattern and
# its clean-up each engine's own functions.
NUMBER_TEXTS = [
    "1,001.18", "1001.18", "$1,001.18", "-12.50", "1.001,18", "1001,18 €", "1 234,50", "1\u00a0234,50 $", "1\u202f234,50",
    "7,5\u202f%", "5%", "1,250", "1.250", "1'234.50", "1\u2019234.50", "12'345'678.90", "1'23.50", "1,00,1.18", "(5.00)",
    "1e3", "NaN", "inf", "12,5,0", "", "abc",
]  # fmt: skip


def sql_text(text: str) -> str:
    """A SQL string literal for `text` on DuckDB and Spark alike: Spark reads 'a''b' as two
    literals, 'a' 'b', so each apostrophe is chr(39)."""
    return " || chr(39) || ".join(f"'{part}'" for part in text.split("'"))


def shown_values(command: list[str], env: dict, inline: str, vars: dict | None = None) -> list[str]:
    """The one column of `dbt show --inline` (up to 1000 rows), sorted."""
    options = ["--vars", json.dumps(vars)] if vars else []
    proc = subprocess.run(
        [*command, "show", "--inline", inline, *options, "--limit", "1000", "--output", "json", "--log-format", "json", "-q"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    shown = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    rows = next(json.loads(event["data"]["preview"]) for event in shown if "preview" in event.get("data", {}))
    return sorted(next(iter(row.values())) for row in rows)


def on_both_engines(tmp_path: Path, show) -> tuple[list[str], list[str]]:
    """`show(command, env)` run with DuckDB's dbt and with Spark's (a throwaway Spark warehouse
    under tmp_path): what each engine shows."""
    env = dbt_env(tmp_path / "x.duckdb")
    env.pop("DBT_VARS", None)
    spark_env = dict(env, SPARK_LOCAL_IP="127.0.0.1", SPARK_WAREHOUSE_DIR=str(tmp_path / "spark"), DBT_TARGET_PATH=str(tmp_path / "ts"))
    return show([str(BIN / "dbt")], env), show([str(PROJECT / ".venv-spark" / "bin" / "dbt"), "--target", "spark"], spark_env)


def parsed_values(command: list[str], env: dict) -> list[str]:
    """DATE_TEXTS read by parse_raw_timestamp in both orders, NUMBER_TEXTS by parse_raw_number
    with both separators, in one dbt show: 'text|order or separator|value' lines."""
    dates = ", ".join(f"({sql_text(text)}, '{order}')" for text in DATE_TEXTS for order in ("dmy", "mdy"))
    numbers = ", ".join(f"({sql_text(text)}, '{separator}')" for text in NUMBER_TEXTS for separator in (".", ","))
    shown_as = "raw_value || '|' || setting || '|' || coalesce(cast({} as {{{{ dbt.type_string() }}}}), 'NULL') as parsed"
    date = shown_as.format("{{ parse_raw_timestamp('raw_value', 'setting') }}")
    number = shown_as.format("{{ parse_raw_number('raw_value', 'setting', allow_percent=true) }}")
    inline = (
        f"select {date} from (values {dates}) as dates (raw_value, setting)"
        f" union all select {number} from (values {numbers}) as numbers (raw_value, setting)"
    )
    return shown_values(command, env, inline)


def test_every_date_and_number_shape_parses_alike_on_spark_and_duckdb(tmp_path):
    duck, spark = on_both_engines(tmp_path, parsed_values)
    assert len(duck) == 2 * len(DATE_TEXTS) + 2 * len(NUMBER_TEXTS)
    assert spark == duck
    # the shapes are read, not all refused alike: a few of each engine's values, read by hand
    assert "5-Jan-19|mdy|2019-01-05 00:00:00" in duck
    assert "05-01-19|mdy|2019-05-01 00:00:00" in duck
    assert "12/2/2010 12:05 AM|mdy|2010-12-02 00:05:00" in duck
    assert "12/2/2010 13:05 PM|mdy|NULL" in duck
    assert "12/2/2010 8:26PM|mdy|2010-12-02 20:26:00" in duck
    assert "2019-04-15 12:05:17 -0400|dmy|2019-04-15 12:05:17" in duck
    assert "2020-06-15T10:30:00.123Z|mdy|2020-06-15 10:30:00" in duck
    assert "2020-06-15 10:30:00 CET|dmy|NULL" in duck
    assert "15-févr.-18|mdy|2018-02-15 00:00:00" in duck
    assert "Sept 5, 2019|dmy|2019-09-05 00:00:00" in duck
    assert "15-xyz-18|dmy|NULL" in duck
    assert "1'234.50|.|1234.5000" in duck
    assert "1'234.50|,|NULL" in duck
    assert "1.001,18|,|1001.1800" in duck
    assert "1,250|.|1250.0000" in duck
    assert "1,250|,|1.2500" in duck
    assert "7,5\u202f%|,|0.0750" in duck


def record_rows(command: list[str], env: dict, vars: dict) -> list[str]:
    """raw_record_rows over the customers and experiments files `vars` names, in one dbt show:
    'file kind|customer id|two more values|malformed line number|malformed line' lines."""
    reads = [
        ("customers", "customer_files", ["customer_id", "age", "gender"], "raw_customers_path"),
        ("experiments", "experiment_files", ["customer_id", "experiment_id", "variant"], "raw_experiments_path"),
    ]
    selects = []
    for kind, source, columns, path_var in reads:
        values = [*(f"raw_{column}" for column in columns), "cast(malformed_line_number as string)", "malformed_line"]
        shown = " || '|' || ".join(f"coalesce({value}, 'NULL')" for value in values)
        rows = f"raw_record_rows(source('raw_sales', '{source}'), {columns}, '{kind} file', '{path_var}')"
        selects.append(f"select '{kind}|' || {shown} as row_text from ({{{{ {rows} }}}}) as records")
    # dbt show runs no on-run-start hook: the sources' file listings are made first (Spark's are views)
    return shown_values(command, env, "{% do check_raw_inputs() %}" + " union all ".join(selects), vars)


def test_customers_and_experiments_files_are_read_alike_on_spark_and_duckdb(tmp_path):
    """The customers and experiments files through raw_record_rows on both engines: a report's
    title lines above the header (Excel's `Customer report;;`, a byte-order mark, CRLF, blank
    lines), headers in another spelling and order, a quoted field with the delimiter in it,
    and lines that do not split into the header's fields (short, long, a stray quote, a quote
    never closed), each malformed with its text and line number."""
    sales = tmp_path / "sales.csv"
    shutil.copy(PROJECT / "data" / "sample" / "sales_data.csv", sales)
    customers, experiments = tmp_path / "customers.csv", tmp_path / "experiments.csv"
    customers.write_bytes(
        "\ufeffCustomer report;;\r\nExported 01.12.2026;;\r\n;;\r\nGender;Customer ID;AGE\r\nw;7;40\r\n\r\n"
        '"m;x";8;300\r\nf;9\r\nf;10;20;x\r\nf;"1"1;20\r\nm;12;"30\r\nf;13;31\r\n'.encode()
    )
    experiments.write_text('Experiments, spring 2018\n\ncustomer_id,Experiment ID,variant\n7,spring,"B, blue"\n9,spring,A\n')
    vars = {"raw_sales_path": str(sales), "raw_customers_path": str(customers), "raw_experiments_path": str(experiments)}
    duck, spark = on_both_engines(tmp_path, lambda command, env: record_rows(command, env, vars))
    assert duck == [
        "customers|13|31|f|NULL|NULL", "customers|7|40|w|NULL|NULL", "customers|8|300|m;x|NULL|NULL",
        "customers|NULL|NULL|NULL|10|f;\"1\"1;20", "customers|NULL|NULL|NULL|11|m;12;\"30", "customers|NULL|NULL|NULL|8|f;9",
        "customers|NULL|NULL|NULL|9|f;10;20;x",
        "experiments|7|spring|B, blue|NULL|NULL", "experiments|9|spring|A|NULL|NULL",
    ]  # fmt: skip
    assert spark == duck
