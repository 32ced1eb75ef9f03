"""make dashboard: one self-contained HTML page of charts from the published warehouse.

    python -m retail_segmentation.dashboard WAREHOUSE.duckdb dashboards/index.html

Reads the public marts read-only and writes a single file: plotly.js, every style and every
chart's data inlined, nothing fetched from the network, so it opens from disk by double-click
and can be mailed. Aggregates are exact (computed in DuckDB from the marts); the two customer
scatter plots show a fixed sample of customers (the same ones on every build of the same
warehouse, chosen by a hash of customer_id and SAMPLE_SEED) and say so. A section whose marts
are absent (a warehouse from before the lifecycle marts) or empty (no experiments file) says
so instead of a chart. Same warehouse, same bytes.
"""

from __future__ import annotations

import html
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import plotly.io
import plotly.offline
from plotly.subplots import make_subplots

SAMPLE_CUSTOMERS = 5_000
SAMPLE_SEED = 42
PERIOD_MONTHS = 12
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=30, t=30, b=50), height=420, font=dict(family="system-ui, sans-serif"))


@dataclass
class Chart:
    """A chart: what it answers (title), how to read it (guide) and the figure."""

    chart_id: str
    title: str
    guide: str
    figure: go.Figure


@dataclass
class Section:
    section_id: str
    title: str
    charts: list[Chart] = field(default_factory=list)
    note: str = ""  # why the section has no charts (marts absent or empty)
    html_blocks: list[str] = field(default_factory=list)


class Warehouse:
    """The published warehouse, read-only: queries as lists of dicts, and which marts exist."""

    def __init__(self, path: Path):
        if not path.exists():
            raise FileNotFoundError(f"no warehouse at {path}: run `make run` (a fully successful dbt build publishes it)")
        self.con = duckdb.connect(str(path), read_only=True)
        self.tables = {name for (name,) in self.con.execute("select table_name from information_schema.tables").fetchall()}

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def value(self, sql: str, params: list | None = None):
        return self.con.execute(sql, params or []).fetchall()[0][0]

    def has(self, *marts: str) -> bool:
        return all(mart in self.tables for mart in marts)

    def count(self, mart: str) -> int:
        return self.value(f'select count(*) from "{mart}"')


def figure(**layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**{**LAYOUT, **layout})
    return fig


def column(rows: list[dict], name: str) -> list:
    return [row[name] for row in rows]


def floats(rows: list[dict], name: str) -> list:
    return [None if row[name] is None else float(row[name]) for row in rows]


def sample_note(shown: int, total: int) -> str:
    if shown >= total:
        return f"all {total:,} customers"
    return f"a fixed sample of {shown:,} of {total:,} customers (the same ones on every build)"


def sampled_customers(mart: str, columns: str) -> str:
    """The same SAMPLE_CUSTOMERS customers of a per-customer mart on every run: ordered by a hash
    of customer_id and the seed, ties broken by customer_id."""
    return f"select {columns} from \"{mart}\" order by hash(customer_id || '{SAMPLE_SEED}'), customer_id limit {SAMPLE_CUSTOMERS}"


# -- 1. KPI tiles ---------------------------------------------------------------------------


@dataclass
class Kpi:
    kpi_id: str
    label: str
    value: float | None
    previous: float | None
    kind: str  # money, count, rate
    note: str = ""


def by_period(wh: Warehouse, measures: str, mart: str, month: str = "month_start_date", where: str = "true") -> dict[str, dict]:
    """`measures` of `mart` over the latest PERIOD_MONTHS months of fct_monthly_sales ('current')
    and the PERIOD_MONTHS before them ('previous'), in one pass; `month` is the row's month."""
    rows = wh.rows(
        f"""
        with latest as (select max(month_start_date) as last_month from fct_monthly_sales)
        select
            case when {month} > latest.last_month - interval {PERIOD_MONTHS} month then 'current' else 'previous' end
                as period,
            {measures}
        from "{mart}" cross join latest
        where {where} and {month} > latest.last_month - interval {2 * PERIOD_MONTHS} month
        group by period
        """
    )
    return {row.pop("period"): row for row in rows}


def kpis(wh: Warehouse) -> tuple[list[Kpi], str]:
    """The latest PERIOD_MONTHS months against the PERIOD_MONTHS before, and the quarantine of every load."""
    sales = by_period(
        wh,
        "sum(net_revenue) as net_revenue, sum(orders) as orders, min(month_start_date) as first_month, max(month_start_date) as last_month",
        "fct_monthly_sales",
    )
    if "current" not in sales:
        return [], "no sales"
    buyers = by_period(
        wh, "count(distinct customer_id) as customers", "fct_sales", month="date_trunc('month', order_date)", where="not is_cancellation"
    )
    margin = by_period(wh, "sum(gross_margin) as gross_margin", "fct_channel_performance")
    has_previous = "previous" in sales

    def figures(key: str, period_rows: dict[str, dict]) -> tuple[float | None, float | None]:
        value = period_rows.get("current", {}).get(key)
        before = period_rows.get("previous", {}).get(key) if has_previous else None
        return (None if value is None else float(value)), (None if before is None else float(before))

    def ratio(a, b):
        return None if a is None or not b else float(a) / float(b)

    revenue, orders = figures("net_revenue", sales), figures("orders", sales)
    quarantined = all_lines = None
    if wh.has("fct_data_quality"):
        quarantined, all_lines = wh.con.execute(
            "select coalesce(sum(case when is_quarantined then order_lines end), 0), coalesce(sum(order_lines), 0) from fct_data_quality"
        ).fetchall()[0]
    tiles = [
        Kpi("net_revenue", "Net revenue", *revenue, "money"),
        Kpi("orders", "Orders", *orders, "count"),
        Kpi("customers", "Customers who bought", *figures("customers", buyers), "count"),
        Kpi("average_order_value", "Average order value", ratio(revenue[0], orders[0]), ratio(revenue[1], orders[1]), "money"),
        Kpi("gross_margin", "Gross margin", *figures("gross_margin", margin), "money"),
        Kpi(
            "quarantined_lines",
            "Quarantined lines",
            quarantined,
            None,
            "count",
            note=(
                f"{ratio(quarantined, all_lines):.2%} of all order lines read, every load "
                "(a quarantined line's date is not always readable: no period)"
                if all_lines
                else "no data-quality mart in this warehouse"
            ),
        ),
    ]
    current = sales["current"]
    label = f"{current['first_month']:%b %Y} to {current['last_month']:%b %Y}" + (
        f", each against the {PERIOD_MONTHS} months before" if has_previous else " (no earlier period to compare with)"
    )
    return tiles, label


def formatted(value, kind: str) -> str:
    if value is None:
        return "n/a"
    if kind == "money":
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
    if kind == "rate":
        return f"{value:.1%}"
    return f"{int(value):,}"


def kpi_html(tiles: list[Kpi], label: str) -> str:
    cells = []
    for tile in tiles:
        if tile.previous:
            change = (float(tile.value) - float(tile.previous)) / abs(float(tile.previous))
            arrow = "up" if change >= 0 else "down"
            delta = f'<div class="delta {arrow}">{change:+.1%} vs previous period</div>'
        else:
            delta = f'<div class="delta">{html.escape(tile.note or "no previous period")}</div>'
        raw = "" if tile.value is None else repr(float(tile.value))
        cells.append(
            f'<div class="kpi" id="kpi-{tile.kpi_id}" data-value="{raw}">'
            f'<div class="label">{html.escape(tile.label)}</div>'
            f'<div class="value">{formatted(tile.value, tile.kind)}</div>{delta}</div>'
        )
    return f'<p class="guide">{html.escape(label)}.</p><div class="kpis">{"".join(cells)}</div>'


# -- 2-9. the chart sections ----------------------------------------------------------------


def monthly_section(wh: Warehouse) -> Section:
    rows = wh.rows("select * from fct_monthly_sales order by month_start_date")
    months = column(rows, "month_start_date")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=months, y=floats(rows, "new_customer_net_revenue"), name="New customers' revenue")
    fig.add_bar(x=months, y=floats(rows, "returning_customer_net_revenue"), name="Returning customers' revenue")
    fig.add_scatter(x=months, y=column(rows, "active_customers"), name="Active customers", mode="lines+markers", secondary_y=True)
    fig.update_layout(**LAYOUT, barmode="stack", legend=dict(orientation="h", y=-0.15))
    fig.update_yaxes(title_text="net revenue", secondary_y=False)
    fig.update_yaxes(title_text="customers who bought", secondary_y=True, showgrid=False)
    total = figure(yaxis_title="net revenue")
    total.add_scatter(x=months, y=floats(rows, "net_revenue"), mode="lines+markers", name="Net revenue")
    return Section(
        "monthly",
        "Sales over time",
        [
            Chart(
                "monthly-net-revenue",
                "Is revenue growing month by month?",
                "Net revenue of each calendar month (cancellations netted).",
                total,
            ),
            Chart(
                "monthly-new-returning",
                "Does revenue come from new or returning customers?",
                "Bars: each month's net revenue split by whether the customer's first order was that month; "
                "line (right axis): customers who bought.",
                fig,
            ),
        ],
    )


def stacked_shares(rows: list[dict], measure: str, axis_title: str) -> go.Figure:
    """Each channel's share of the month (column `measure`, 0-1) as bands stacked to 100%."""
    fig = figure(yaxis_title=axis_title, yaxis_tickformat=".0%", legend=dict(orientation="h", y=-0.15))
    for channel in sorted({row["sales_channel"] for row in rows}):
        mine = [row for row in rows if row["sales_channel"] == channel]
        fig.add_scatter(x=column(mine, "month_start_date"), y=floats(mine, measure), name=channel, stackgroup="share", mode="lines")
    return fig


def channel_section(wh: Warehouse) -> Section:
    rows = wh.rows(
        "select month_start_date, sales_channel, share_of_month_net_revenue, "
        "cast(quantity as double) / sum(quantity) over (partition by month_start_date) as share_of_month_quantity "
        "from fct_channel_performance order by month_start_date, sales_channel"
    )
    share = stacked_shares(rows, "share_of_month_net_revenue", "share of the month's net revenue")
    quantity_share = stacked_shares(rows, "share_of_month_quantity", "share of the month's quantity")
    totals = wh.rows(
        "select sales_channel, sum(net_revenue) as net_revenue, sum(quantity) as quantity "
        "from fct_channel_performance group by sales_channel order by sales_channel"
    )
    donut = make_subplots(rows=1, cols=2, specs=[[{"type": "domain"}, {"type": "domain"}]], subplot_titles=["Net revenue", "Quantity"])
    donut.add_pie(labels=column(totals, "sales_channel"), values=floats(totals, "net_revenue"), hole=0.5, row=1, col=1, sort=False)
    donut.add_pie(labels=column(totals, "sales_channel"), values=floats(totals, "quantity"), hole=0.5, row=1, col=2, sort=False)
    donut.update_layout(**LAYOUT)
    return Section(
        "channels",
        "Channel mix",
        [
            Chart(
                "channel-share",
                "Which channels carry the revenue, and is the mix shifting?",
                "Each channel's share of the month's net revenue; the bands add up to 100%.",
                share,
            ),
            Chart(
                "channel-quantity-share",
                "Which channels move the volume, month by month?",
                "Each channel's share of the month's quantity sold; a channel whose volume share exceeds its revenue share sells cheaper.",
                quantity_share,
            ),
            Chart(
                "channel-donut",
                "How do revenue and volume split by channel over all time?",
                "Left: share of net revenue; right: share of quantity sold.",
                donut,
            ),
        ],
    )


def product_section(wh: Warehouse) -> Section:
    rows = wh.rows(
        "select product_id, product_description, net_revenue, gross_margin, average_discount_rate, "
        "cast(gross_margin as double) / nullif(cast(net_revenue as double), 0) as gross_margin_rate "
        "from dim_products order by net_revenue desc, product_id limit 20"
    )
    rows.reverse()
    labels = [f"{row['product_id']} {row['product_description'] or ''}".strip() for row in rows]
    fig = figure(height=560, xaxis_title="net revenue", yaxis_type="category", margin=dict(l=220, r=30, t=30, b=50))
    fig.add_bar(
        x=floats(rows, "net_revenue"),
        y=labels,
        orientation="h",
        marker=dict(color=floats(rows, "gross_margin_rate"), colorscale="RdYlGn", colorbar=dict(title="margin rate", tickformat=".0%")),
        text=[f"discount {d:.1%}" if d is not None else "" for d in floats(rows, "average_discount_rate")],
        textposition="inside",
        customdata=floats(rows, "gross_margin_rate"),
        hovertemplate="%{y}<br>net revenue %{x:,.0f}<br>margin rate %{customdata:.1%}<br>%{text}<extra></extra>",
    )
    return Section(
        "products",
        "Products",
        [
            Chart(
                "top-products",
                "Which products earn the most, and at what discount and margin?",
                "The 20 products with the highest net revenue; colour is the gross margin rate, the label the average discount.",
                fig,
            )
        ],
    )


def store_section(wh: Warehouse) -> Section:
    rows = wh.rows("select store_id, orders, net_revenue, gross_margin from dim_stores order by store_id")
    fig = figure(xaxis_title="net revenue", yaxis_title="gross margin")
    largest = max([row["orders"] for row in rows] or [1])
    fig.add_scatter(
        x=floats(rows, "net_revenue"),
        y=floats(rows, "gross_margin"),
        mode="markers",
        text=column(rows, "store_id"),
        marker=dict(size=[6 + 30 * (row["orders"] / largest) ** 0.5 for row in rows], opacity=0.6, sizemode="diameter"),
        customdata=column(rows, "orders"),
        hovertemplate="store %{text}<br>net revenue %{x:,.0f}<br>gross margin %{y:,.0f}<br>%{customdata:,} orders<extra></extra>",
        name="stores",
    )
    ranked = wh.rows(
        "(select 'top' as end_, store_id, net_revenue, gross_margin, orders from dim_stores order by net_revenue desc, store_id limit 10) "
        "union all "
        "(select 'bottom', store_id, net_revenue, gross_margin, orders from dim_stores order by net_revenue asc, store_id limit 10)"
    )
    ends = figure(height=480, xaxis_title="net revenue", margin=dict(l=120, r=30, t=30, b=50), legend=dict(orientation="h", y=-0.15))
    for end, colour in (("bottom", "#d62728"), ("top", "#2ca02c")):
        mine = [row for row in ranked if row["end_"] == end]
        mine.sort(key=lambda row: row["net_revenue"])
        ends.add_bar(
            x=floats(mine, "net_revenue"),
            y=[f"{end}: {row['store_id']}" for row in mine],
            orientation="h",
            name=f"{end} 10",
            marker_color=colour,
        )
    return Section(
        "stores",
        "Stores",
        [
            Chart(
                "store-bubbles",
                "Which stores earn revenue and margin?",
                "One bubble per store: net revenue across, gross margin up, size by orders.",
                fig,
            ),
            Chart(
                "store-ends",
                "Which stores lead and which trail?",
                "The 10 stores with the highest and the 10 with the lowest net revenue.",
                ends,
            ),
        ],
    )


def rfm_section(wh: Warehouse) -> Section:
    summary = wh.rows("select * from fct_rfm_segment_summary order by segment_order")
    sizes = figure(yaxis_tickformat=".0%", yaxis_title="share", legend=dict(orientation="h", y=-0.25), xaxis_tickangle=-30)
    sizes.add_bar(x=column(summary, "rfm_segment"), y=floats(summary, "share_of_customers"), name="share of customers")
    sizes.add_bar(x=column(summary, "rfm_segment"), y=floats(summary, "share_of_net_revenue"), name="share of net revenue")
    grid = wh.rows("select r_score, f_score, count(*) as customers from fct_customer_rfm group by all order by all")
    cells = {(row["r_score"], row["f_score"]): row["customers"] for row in grid}
    heat = figure(xaxis_title="F score (5 = most orders)", yaxis_title="R score (5 = most recent)", height=460)
    heat.add_heatmap(
        x=[1, 2, 3, 4, 5],
        y=[1, 2, 3, 4, 5],
        z=[[cells.get((r, f), 0) for f in range(1, 6)] for r in range(1, 6)],
        colorscale="Blues",
        texttemplate="%{z:,}",
        hovertemplate="R %{y} F %{x}: %{z:,} customers<extra></extra>",
        colorbar=dict(title="customers"),
    )
    total = wh.count("fct_customer_rfm")
    sample = wh.rows(sampled_customers("fct_customer_rfm", "customer_id, recency_days, monetary, rfm_segment"))
    scatter = figure(xaxis_title="recency (days since last purchase)", yaxis_title="monetary (net revenue, log scale)", yaxis_type="log")
    for segment in [row["rfm_segment"] for row in summary]:
        mine = [row for row in sample if row["rfm_segment"] == segment and row["monetary"] and row["monetary"] > 0]
        if mine:
            scatter.add_scattergl(
                x=column(mine, "recency_days"),
                y=floats(mine, "monetary"),
                mode="markers",
                name=segment,
                marker=dict(size=4, opacity=0.6),
                text=column(mine, "customer_id"),
            )
    return Section(
        "rfm",
        "RFM segments",
        [
            Chart(
                "rfm-segments",
                "How big and how valuable is each segment?",
                "Each RFM segment's share of customers beside its share of net revenue.",
                sizes,
            ),
            Chart(
                "rfm-grid",
                "Where do customers sit on recency and frequency?",
                "Customers in each R x F cell; the segment map names these cells.",
                heat,
            ),
            Chart(
                "rfm-scatter",
                "How recent and how valuable are the customers of each segment?",
                f"{sample_note(len(sample), total).capitalize()}, coloured by segment; "
                "customers with net revenue of 0 or less are left out of the log scale.",
                scatter,
            ),
        ],
    )


def kmeans_section(wh: Warehouse) -> Section:
    if not wh.has("dim_customer_segments", "fct_customer_segment_profiles", "fct_segment_model_selection"):
        return Section("kmeans", "KMeans segments", note="The segmentation marts are not in this warehouse.")
    total = wh.count("dim_customer_segments")
    sample = wh.rows(sampled_customers("dim_customer_segments", "customer_id, segment_name, pca_1, pca_2"))
    pca = figure(xaxis_title="principal component 1", yaxis_title="principal component 2")
    for segment in sorted({row["segment_name"] for row in sample}):
        mine = [row for row in sample if row["segment_name"] == segment]
        pca.add_scattergl(x=floats(mine, "pca_1"), y=floats(mine, "pca_2"), mode="markers", name=segment, marker=dict(size=4, opacity=0.6))
    profiles = wh.rows("select * from fct_customer_segment_profiles order by cluster_id")
    profile = make_subplots(
        rows=1, cols=4, subplot_titles=["share of customers / revenue", "median recency (days)", "median frequency", "median monetary"]
    )
    names = column(profiles, "segment_name")
    profile.add_bar(x=names, y=floats(profiles, "share_of_customers"), name="share of customers", row=1, col=1)
    profile.add_bar(x=names, y=floats(profiles, "share_of_net_revenue"), name="share of net revenue", row=1, col=1)
    for position, measure in enumerate(("median_recency_days", "median_frequency", "median_monetary"), start=2):
        profile.add_bar(x=names, y=floats(profiles, measure), name=measure.replace("_", " "), row=1, col=position, showlegend=False)
    profile.update_layout(**LAYOUT, legend=dict(orientation="h", y=-0.3))
    selection = wh.rows("select * from fct_segment_model_selection order by k")
    ks = column(selection, "k")
    chosen = [row for row in selection if row["is_chosen"]]
    choice = make_subplots(specs=[[{"secondary_y": True}]])
    choice.add_scatter(x=ks, y=floats(selection, "inertia"), name="inertia (lower is tighter)", mode="lines+markers")
    choice.add_scatter(
        x=ks, y=floats(selection, "silhouette"), name="silhouette (higher is better separated)", mode="lines+markers", secondary_y=True
    )
    for row in chosen:
        choice.add_vline(x=row["k"], line_dash="dash", annotation_text=f"chosen k = {row['k']}")
    choice.update_layout(**LAYOUT, xaxis_title="k (segments)", legend=dict(orientation="h", y=-0.2))
    reason = chosen[0]["selection_reason"] if chosen else ""
    return Section(
        "kmeans",
        "KMeans segments",
        [
            Chart(
                "kmeans-pca",
                "Are the KMeans segments distinct?",
                f"The customers' scaled features projected on their two principal components; {sample_note(len(sample), total)}.",
                pca,
            ),
            Chart(
                "kmeans-profiles",
                "What is each segment like?",
                "Each segment's share of customers and revenue, and its median recency, frequency and monetary.",
                profile,
            ),
            Chart(
                "kmeans-k",
                "Why this number of segments?",
                f"Inertia and silhouette for each k tried; the dashed line marks the chosen k. {reason}",
                choice,
            ),
        ],
    )


def lifecycle_section(wh: Warehouse) -> Section:
    section = Section("lifecycle", "Customer lifecycle")
    if wh.has("fct_cohort_retention"):
        rows = wh.rows("select cohort_month, months_since_first_order, retention_rate from fct_cohort_retention order by all")
        cohorts = sorted({row["cohort_month"] for row in rows})
        offsets = sorted({row["months_since_first_order"] for row in rows})
        rates = {(row["cohort_month"], row["months_since_first_order"]): row["retention_rate"] for row in rows}
        heat = figure(
            height=560, xaxis_title="months since the first order", yaxis_title="cohort (month of first order)", yaxis_autorange="reversed"
        )
        heat.add_heatmap(
            x=offsets,
            y=[f"{c:%Y-%m}" for c in cohorts],
            z=[[rates.get((c, m)) for m in offsets] for c in cohorts],
            colorscale="Viridis",
            zmin=0,
            zmax=max([r for (_, m), r in rates.items() if m > 0 and r is not None] or [1]),
            hovertemplate="cohort %{y}, month %{x}: %{z:.1%} bought<extra></extra>",
            colorbar=dict(title="retention", tickformat=".0%"),
        )
        section.charts.append(
            Chart(
                "cohort-retention",
                "Do new customers come back?",
                "Share of each cohort that bought in each month after its first; month 0 is 100% "
                "(the colour scale starts from month 1's highest).",
                heat,
            )
        )
    if wh.has("fct_customer_lifetime_value"):
        bins = wh.rows(
            """
            with limits as (
                select quantile_cont(predicted_clv_365d, 0.99) as upper from fct_customer_lifetime_value
                where predicted_clv_365d is not null
            )
            select
                least(floor(predicted_clv_365d / (limits.upper / 40)), 40) as bin,
                limits.upper / 40 as width,
                count(*) as customers
            from fct_customer_lifetime_value cross join limits
            where predicted_clv_365d is not null and limits.upper > 0
            group by all order by bin
            """
        )
        hist = figure(xaxis_title="predicted net revenue in the next 365 days", yaxis_title="customers", bargap=0.05)
        hist.add_bar(
            x=[float(row["bin"]) * float(row["width"]) + float(row["width"]) / 2 for row in bins],
            y=column(bins, "customers"),
            width=[float(row["width"]) for row in bins],
            name="customers",
            hovertemplate="around %{x:,.0f}: %{y:,} customers<extra></extra>",
        )
        top = wh.rows(
            "select customer_id, predicted_clv_365d, p_alive, expected_purchases_365d, clv_segment from fct_customer_lifetime_value "
            "where predicted_clv_365d is not null order by predicted_clv_365d desc, customer_id limit 15"
        )
        top.reverse()
        best = figure(
            height=480,
            xaxis_title="predicted net revenue in the next 365 days",
            yaxis_type="category",
            margin=dict(l=120, r=30, t=30, b=50),
        )
        best.add_bar(
            x=floats(top, "predicted_clv_365d"),
            y=[str(row["customer_id"]) for row in top],
            orientation="h",
            customdata=[[float(row["p_alive"]), float(row["expected_purchases_365d"])] for row in top],
            hovertemplate="%{y}: %{x:,.0f}<br>P(alive) %{customdata[0]:.2f}, %{customdata[1]:.1f} purchases expected<extra></extra>",
        )
        section.charts += [
            Chart(
                "clv-distribution",
                "What will customers be worth next year?",
                "Customers by predicted 365-day value (BG/NBD x Gamma-Gamma); the last bar holds the top 1%.",
                hist,
            ),
            Chart(
                "clv-top",
                "Who are the most valuable customers to keep?",
                "The 15 customers with the highest predicted 365-day value.",
                best,
            ),
        ]
    if wh.has("fct_customer_churn_risk"):
        bands = wh.rows(
            "select churn_risk_band, count(*) as customers, avg(p_alive) as mean_p_alive "
            "from fct_customer_churn_risk group by churn_risk_band "
            "order by case churn_risk_band when 'High' then 1 when 'Medium' then 2 when 'Low' then 3 else 4 end, churn_risk_band"
        )
        risk = figure(yaxis_title="customers")
        risk.add_bar(
            x=column(bands, "churn_risk_band"),
            y=column(bands, "customers"),
            customdata=floats(bands, "mean_p_alive"),
            hovertemplate="%{x}: %{y:,} customers, mean P(alive) %{customdata:.2f}<extra></extra>",
        )
        section.charts.append(
            Chart(
                "churn-bands",
                "How many customers are slipping away?",
                "Customers by churn-risk band (the classifier's probability of no purchase in the horizon).",
                risk,
            )
        )
    if wh.has("fct_rfm_segment_migration"):
        latest = wh.value("select max(to_snapshot_date) from fct_rfm_segment_migration")
        moves = wh.rows("select * from fct_rfm_segment_migration where to_snapshot_date = ? order by all", [latest]) if latest else []
        if moves:
            froms = sorted({row["from_segment"] for row in moves})
            tos = sorted({row["to_segment"] for row in moves})
            counts = {(row["from_segment"], row["to_segment"]): row["customers"] for row in moves}
            matrix = figure(height=560, xaxis_title=f"segment at {latest}", yaxis_title="segment a month before", xaxis_tickangle=-30)
            matrix.add_heatmap(
                x=tos,
                y=froms,
                z=[[counts.get((f, t), 0) for t in tos] for f in froms],
                colorscale="Oranges",
                texttemplate="%{z:,}",
                hovertemplate="from %{y} to %{x}: %{z:,} customers<extra></extra>",
            )
            section.charts.append(
                Chart(
                    "segment-migration",
                    "Who moved between segments last month?",
                    f"Customers by RFM segment a month before {latest} (New: had not bought) and at {latest}.",
                    matrix,
                )
            )
    if wh.has("fct_experiment_readout"):
        readout = wh.rows(
            "select * from fct_experiment_readout where variant <> 'control' and conversion_lift is not null "
            "order by experiment_id, variant, rfm_segment"
        )
        if readout:
            labels = [f"{row['experiment_id']} {row['variant']}: {row['rfm_segment']}" for row in readout]
            lift = figure(
                height=max(320, 28 * len(readout) + 100),
                xaxis_title="conversion lift against control",
                margin=dict(l=320, r=30, t=30, b=50),
            )
            lift.add_scatter(
                x=floats(readout, "conversion_lift"),
                y=labels,
                mode="markers",
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=[float(r["conversion_lift_ci_upper"]) - float(r["conversion_lift"]) for r in readout],
                    arrayminus=[float(r["conversion_lift"]) - float(r["conversion_lift_ci_lower"]) for r in readout],
                ),
                customdata=floats(readout, "conversion_p_value"),
                hovertemplate="%{y}<br>lift %{x:.3f}, p = %{customdata:.3g}<extra></extra>",
                name="lift",
            )
            lift.add_vline(x=0, line_dash="dot")
            section.charts.append(
                Chart(
                    "experiment-lift",
                    "Did the campaigns work?",
                    "Each variant's conversion lift against control per RFM segment, with its 95% confidence interval; "
                    "an interval crossing 0 is no proven effect.",
                    lift,
                )
            )
        else:
            section.html_blocks.append('<p class="note">No experiment readouts: no experiments file was loaded (raw_experiments_path).</p>')
    if not section.charts:
        section.note = "The lifecycle marts are not in this warehouse."
    return section


def quality_section(wh: Warehouse) -> Section:
    if not wh.has("fct_data_quality"):
        return Section("quality", "Data quality", note="fct_data_quality is not in this warehouse.")
    reasons = wh.rows(
        "select line_outcome, sum(order_lines) as order_lines from fct_data_quality where is_quarantined "
        "group by all order by order_lines desc, line_outcome"
    )
    by_reason = figure(xaxis_title="quarantine reason", yaxis_title="order lines", xaxis_tickangle=-30)
    by_reason.add_bar(x=column(reasons, "line_outcome"), y=column(reasons, "order_lines"), name="quarantined")
    files = wh.rows(
        "select source_file, sum(case when is_quarantined then 0 else order_lines end) as loaded, "
        "sum(case when is_quarantined then order_lines else 0 end) as quarantined from fct_data_quality group by all order by source_file"
    )
    names = [Path(row["source_file"]).name for row in files]
    by_file = figure(barmode="stack", yaxis_title="order lines", legend=dict(orientation="h", y=-0.2))
    by_file.add_bar(x=names, y=column(files, "loaded"), name="loaded", hovertext=column(files, "source_file"))
    by_file.add_bar(x=names, y=column(files, "quarantined"), name="quarantined", hovertext=column(files, "source_file"))
    charts = [
        Chart("quality-files", "How much of each file could be read?", "Order lines of each raw file, loaded and quarantined.", by_file)
    ]
    if reasons:
        charts.insert(
            0,
            Chart(
                "quality-reasons",
                "What was wrong with the lines refused?",
                "Quarantined order lines by their first reason (stg_sales__quarantined_order_lines has each line).",
                by_reason,
            ),
        )
    return Section("quality", "Data quality", charts)


# -- the page -------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
header { background: #243b53; color: white; padding: 16px 32px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; opacity: 0.8; font-size: 14px; }
nav { padding: 8px 32px; background: #334e68; }
nav a { color: #d9e2ec; margin-right: 16px; font-size: 14px; text-decoration: none; }
main { padding: 8px 32px 48px; }
section { margin-top: 24px; }
section h2 { font-size: 20px; border-bottom: 2px solid #bcccdc; padding-bottom: 4px; }
.chart { background: white; border-radius: 6px; padding: 12px 16px; margin: 12px 0; box-shadow: 0 1px 3px rgba(0,0,0,0.1); }
.chart h3 { margin: 0; font-size: 16px; }
.guide { margin: 4px 0 8px; color: #52606d; font-size: 13px; }
.note { color: #52606d; font-style: italic; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.kpi { background: white; border-radius: 6px; padding: 12px 16px; box-shadow: 0 1px 3px rgba(0,0,0,0.1); }
.kpi .label { font-size: 13px; color: #52606d; }
.kpi .value { font-size: 26px; font-weight: 600; margin: 4px 0; }
.kpi .delta { font-size: 12px; color: #52606d; }
.kpi .delta.up { color: #2f855a; }
.kpi .delta.down { color: #c53030; }
"""


def page(wh: Warehouse, source: str) -> str:
    tiles, period = kpis(wh)
    as_of = wh.value("select max(rfm_as_of_date) from fct_customer_rfm")
    sections = [
        monthly_section(wh),
        channel_section(wh),
        product_section(wh),
        store_section(wh),
        rfm_section(wh),
        kmeans_section(wh),
        lifecycle_section(wh),
        quality_section(wh),
    ]
    body = [f'<section id="kpis"><h2>Key figures</h2>{kpi_html(tiles, period)}</section>']
    figures = {}
    for section in sections:
        parts = [f'<section id="{section.section_id}"><h2>{html.escape(section.title)}</h2>']
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        for chart in section.charts:
            figures[chart.chart_id] = chart.figure.to_plotly_json()
            height = chart.figure.layout.height or LAYOUT["height"]
            parts.append(
                f'<div class="chart" data-chart="{chart.chart_id}"><h3>{html.escape(chart.title)}</h3>'
                f'<p class="guide">{html.escape(chart.guide)}</p>'
                f'<div class="plot" id="{chart.chart_id}" style="height: {height}px"></div></div>'
            )
        parts += section.html_blocks
        parts.append("</section>")
        body.append("".join(parts))
    links = "".join(f'<a href="#{s.section_id}">{html.escape(s.title)}</a>' for s in sections)
    # the figures as one JSON object; "</" escaped so no string in the data can end the script
    data = plotly.io.to_json(figures, validate=False).replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Retail customer segmentation: dashboard</title><style>{STYLE}</style></head>"
        f'<body data-charts="{len(figures)}"><header><h1>Retail customer segmentation</h1>'
        f"<p>From {html.escape(source)}; RFM as of {as_of}. Every figure is computed from the published marts.</p></header>"
        f'<nav><a href="#kpis">Key figures</a>{links}</nav><main>{"".join(body)}</main>'
        # the tiles and titles are plain HTML and show at once; plotly.js (4.6 MB) is parsed after them
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>'
        f'<script type="application/json" id="figures">{data}</script>'
        f"<script>{DRAW_SCRIPT % json.dumps(PLOT_CONFIG)}</script></body></html>\n"
    )


# Draws the charts in view first (window.firstViewDrawnAt: ms after navigation), then the rest
# one by one in idle time, so the page is readable before every chart is drawn; a chart scrolled
# to before its turn is drawn at once. window.drawAllCharts() draws every chart now (printing).
DRAW_SCRIPT = """
const figures = JSON.parse(document.getElementById('figures').textContent);
const config = %s;
const plots = [...document.querySelectorAll('.plot')];
function draw(el) {
  if (el.dataset.drawn) return;
  el.dataset.drawn = 'yes';
  const figure = figures[el.id];
  Plotly.newPlot(el, figure.data, figure.layout, config);
}
function inView(el) { const box = el.getBoundingClientRect(); return box.top < window.innerHeight && box.bottom > 0; }
plots.filter(inView).forEach(draw);
window.firstViewDrawnAt = performance.now();
const observer = new IntersectionObserver(
  entries => entries.forEach(e => { if (e.isIntersecting) draw(e.target); }), {rootMargin: '400px'});
plots.forEach(el => observer.observe(el));
const queue = plots.filter(el => !el.dataset.drawn);
const idle = window.requestIdleCallback || (f => setTimeout(f, 1));
function next() { const el = queue.shift(); if (el) { draw(el); idle(next); } }
idle(next);
window.drawAllCharts = () => plots.forEach(draw);
window.addEventListener('beforeprint', window.drawAllCharts);
"""


def build(warehouse: Path, out: Path) -> Path:
    wh = Warehouse(warehouse)
    try:
        text = page(wh, warehouse.name)
    finally:
        wh.con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_suffix(".html.tmp")
    staging.write_text(text, encoding="utf-8")
    staging.replace(out)
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m retail_segmentation.dashboard WAREHOUSE.duckdb OUT.html", file=sys.stderr)
        return 2
    try:
        out = build(Path(argv[1]), Path(argv[2]))
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"dashboard: {out.resolve()} ({out.stat().st_size / 1e6:.1f} MB; open it in a browser, no network needed)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
