"""The dashboard page and the dbt docs site, rendered in headless Chromium with the network off.

The dashboard is built from the published warehouse of the sample build (the generator's
sample with its customers and experiments files). `make test` installs Debian's chromium and
chromium-driver when they are missing (target chromium). Screenshots of both pages are written
under target/ for a person to look at.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import BIN, PROJECT, published, query, run_dbt

from retail_segmentation.browser import DASHBOARD_READY, missing_browser, visit

pytestmark = pytest.mark.dbt

SCREENSHOTS = PROJECT / "target" / "screenshots"

# every chart the sample's warehouse (all marts, experiments loaded) must show
CHARTS = [
    "monthly-net-revenue", "monthly-new-returning", "channel-share", "channel-quantity-share", "channel-donut", "top-products",
    "store-bubbles", "store-ends", "rfm-segments", "rfm-grid", "rfm-scatter", "kmeans-pca", "kmeans-profiles", "kmeans-k",
    "cohort-retention", "clv-distribution", "clv-top", "churn-bands", "segment-migration", "experiment-lift",
    "quality-reasons", "quality-files",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    reason = missing_browser()
    if reason:
        pytest.fail(reason)


@pytest.fixture(scope="module")
def dashboard(sample_warehouse, tmp_path_factory) -> tuple[Path, Path]:
    warehouse = published(sample_warehouse)
    out = tmp_path_factory.mktemp("dashboard") / "index.html"
    proc = subprocess.run(
        [str(BIN / "python"), "-m", "retail_segmentation.dashboard", str(warehouse), str(out)], cwd=PROJECT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert str(out.resolve()) in proc.stdout
    return warehouse, out


@pytest.fixture(scope="module")
def dashboard_visit(browser, dashboard):
    _, out = dashboard
    return visit(out, DASHBOARD_READY, screenshot=SCREENSHOTS / "dashboard.png")


def test_the_dashboard_is_one_small_file_that_needs_nothing_else(dashboard, dashboard_visit):
    _, out = dashboard
    text = out.read_text(encoding="utf-8")
    assert out.stat().st_size < 10_000_000
    # nothing referenced outside the file: no script, style, image or font by URL
    for reference in ("<script src=", '<link rel="stylesheet"', "@import", "url(http"):
        assert reference not in text, reference
    assert [url for url in dashboard_visit.requested_urls if not url.startswith("data:")] == [out.resolve().as_uri()]
    assert dashboard_visit.console_errors == []


def test_every_chart_is_drawn_with_data(dashboard_visit):
    drawn = dict(dashboard_visit.ready_value["charts"])
    assert sorted(drawn) == sorted(CHARTS)
    for chart, traces in drawn.items():
        assert traces and max(traces) > 0, (chart, traces)
    # the tiles and the charts in view come first; every chart is drawn soon after
    assert dashboard_visit.ready_value["first_view_ms"] < 5000 and dashboard_visit.seconds_to_ready < 15
    assert (SCREENSHOTS / "dashboard.png").stat().st_size > 50_000


def test_the_kpi_tiles_equal_the_marts(dashboard, browser, tmp_path):
    warehouse, out = dashboard
    tiles = visit(
        out,
        "return [...document.querySelectorAll('.kpi')].map(el => [el.id, el.dataset.value, el.querySelector('.value').textContent])",
    ).ready_value
    shown = {tile_id.removeprefix("kpi-"): (value, text) for tile_id, value, text in tiles}
    # the latest 12 months of the sales, straight from fct_sales (not the monthly mart the page reads)
    last = query(warehouse, "select max(date_trunc('month', order_date)) from fct_sales")[0][0]
    period = f"date_trunc('month', order_date) > cast('{last}' as date) - interval 12 month"
    revenue, orders, customers, margin = query(
        warehouse,
        f"""
        select sum(net_revenue), count(distinct case when not is_cancellation then order_id end),
            count(distinct case when not is_cancellation then customer_id end), sum(gross_margin)
        from fct_sales where {period}
        """,
    )[0]
    quarantined = query(warehouse, "select sum(order_lines) from fct_data_quality where is_quarantined")[0][0]
    expected = {
        "net_revenue": float(revenue),
        "orders": orders,
        "customers": customers,
        "average_order_value": float(revenue) / orders,
        "gross_margin": float(margin),
        "quarantined_lines": quarantined,
    }
    assert sorted(shown) == sorted(expected)
    for name, value in expected.items():
        assert float(shown[name][0]) == pytest.approx(value, rel=1e-12), name
    assert shown["orders"][1] == f"{orders:,}"
    assert shown["net_revenue"][1] == f"{float(revenue):,.0f}"
    assert quarantined > 0  # the sample has refused lines: the tile must show them


def test_the_same_warehouse_gives_the_same_page(dashboard, tmp_path):
    warehouse, out = dashboard
    again = tmp_path / "again.html"
    subprocess.run([str(BIN / "python"), "-m", "retail_segmentation.dashboard", str(warehouse), str(again)], cwd=PROJECT, check=True)
    assert again.read_bytes() == out.read_bytes()


def test_a_missing_warehouse_is_one_clear_line(tmp_path):
    proc = subprocess.run(
        [str(BIN / "python"), "-m", "retail_segmentation.dashboard", str(tmp_path / "none.duckdb"), str(tmp_path / "x.html")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "none.duckdb" in proc.stderr and "make run" in proc.stderr
    assert not (tmp_path / "x.html").exists()


# -- the dbt docs site ------------------------------------------------------------------------

# Visits each public mart's page of the docs app in turn (its URL hash) and records the marts
# whose page shows their name as its heading; ready once every mart has been seen.
DOCS_READY = """
const marts = %s;
window.seenMarts = window.seenMarts || [];
const current = marts[window.seenMarts.length];
if (current === undefined) return window.seenMarts;
const wanted = '#!/model/model.retail_segmentation.' + current;
if (location.hash !== wanted) { location.hash = wanted; return null; }
const heading = document.querySelector('.app-details h1, h1');
if (heading && heading.innerText.includes(current)) window.seenMarts.push(current);
return null;
"""

# Two of dbt's own docs-app templates are never filled in: `<img src="{{ getIcon(...) }}">` (not
# ng-src) and the favicon link `${require('./assets/favicons/favicon.ico')}`, so Chromium asks
# for those literal file: URLs and logs an error for each. They are the app's own markup, the same
# with or without a network; every other console error fails the test.
DOCS_OWN_TEMPLATE_ERRORS = ("%7B%7B%20getIcon(", "$%7Brequire('./assets/favicons/")


def test_the_docs_site_loads_offline_and_lists_every_public_mart(sample_warehouse, browser):
    from test_publish import PUBLIC_MARTS

    run_dbt(["docs", "generate", "--static"], sample_warehouse)
    site = sample_warehouse.parent / "target" / "static_index.html"
    assert site.exists()
    result = visit(site, DOCS_READY % json.dumps(PUBLIC_MARTS), timeout=120, screenshot=SCREENSHOTS / "docs.png")
    assert [error for error in result.console_errors if not any(known in error for known in DOCS_OWN_TEMPLATE_ERRORS)] == []
    assert [url for url in result.requested_urls if not url.startswith(("file:", "data:"))] == []
    assert sorted(result.ready_value) == sorted(PUBLIC_MARTS)
