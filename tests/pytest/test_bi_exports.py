"""BI delivery formats that need no DuckDB driver: the Tableau extract (make export-hyper).

The extract is written by the optional Hyper environment (.venv-hyper, requirements-hyper.txt;
`make test` installs it) and read back there with pantab: every public mart, every row, the
same column names, and the money sums to the cent.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import PROJECT, environment_python, published, query

pytestmark = pytest.mark.dbt

READ_BACK = """
import json, sys
import pantab
tables = pantab.frames_from_hyper(sys.argv[1], return_type="pyarrow")
out = {}
for name, table in tables.items():
    mart = name[-1] if isinstance(name, tuple) else str(name).split(".")[-1].strip('"')
    revenue = None
    if "net_revenue" in table.column_names:
        import pyarrow.compute as pc
        total = pc.sum(table["net_revenue"]).as_py()
        revenue = None if total is None else str(total)
    out[mart] = {"rows": table.num_rows, "columns": table.column_names, "net_revenue": revenue}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def hyper_python():
    return environment_python(".venv-hyper", "requirements-hyper.txt")


def test_the_tableau_extract_holds_every_mart_row_for_row(sample_warehouse, hyper_python, tmp_path):
    warehouse = published(sample_warehouse)
    out = tmp_path / "exports" / "retail.hyper"
    proc = subprocess.run(
        [str(hyper_python), "-m", "retail_segmentation.hyper_export", str(warehouse), str(out)], cwd=PROJECT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and not list(out.parent.glob("*.writing"))
    back = subprocess.run([str(hyper_python), "-c", READ_BACK, str(out)], cwd=tmp_path, capture_output=True, text=True)
    assert back.returncode == 0, back.stderr
    tables = json.loads(back.stdout)
    marts = [name for (name,) in query(warehouse, "select table_name from information_schema.tables order by 1")]
    assert sorted(tables) == marts
    for mart in marts:
        columns = [
            name
            for (name,) in query(
                warehouse, f"select column_name from information_schema.columns where table_name = '{mart}' order by ordinal_position"
            )
        ]
        rows = query(warehouse, f"select count(*) from {mart}")[0][0]
        assert tables[mart]["rows"] == rows and tables[mart]["columns"] == columns, mart
        if "net_revenue" in columns:
            expected = query(warehouse, f"select sum(net_revenue) from {mart}")[0][0]
            assert (tables[mart]["net_revenue"] is None) == (expected is None), mart
            if expected is not None:
                assert float(tables[mart]["net_revenue"]) == pytest.approx(float(expected), abs=0.005), mart


def test_a_missing_warehouse_leaves_no_extract(hyper_python, tmp_path):
    out = tmp_path / "retail.hyper"
    proc = subprocess.run(
        [str(hyper_python), "-m", "retail_segmentation.hyper_export", str(tmp_path / "none.duckdb"), str(out)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "none.duckdb" in proc.stderr
    assert not out.exists()
