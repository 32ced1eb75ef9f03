"""The pandas + scikit-learn way, as the seed notebooks do it: the reference the benchmark races.

Reads the raw retail_chain CSV, cleans it the way a notebook does (parse money and day-first
dates, drop bad rows), computes RFM per customer, the channel, store, product and monthly marts,
and fits KMeans on log1p + StandardScaler RFM over the same k range the dbt build scores
(k = 3..8, n_init = 10, random_state = 42, silhouette on a 10,000-customer sample). Idiomatic
pandas, vectorised, no per-row Python: an honest opponent.

    python bench/pandas_reference.py data/generated/sales_1m.csv
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler


def load(path: str) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ["Unit Price", "Unit Cost"]:
        df[col] = pd.to_numeric(df[col].str.replace("$", "", regex=False).str.replace(",", "", regex=False), errors="coerce")
    df["Order Quantity"] = pd.to_numeric(df["Order Quantity"], errors="coerce")
    df["Discount Applied"] = pd.to_numeric(df["Discount Applied"], errors="coerce")
    df["OrderDate"] = pd.to_datetime(df["OrderDate"], format="mixed", dayfirst=True, errors="coerce")
    df = df[
        df["Sales Channel"].isin(["In-Store", "Online", "Distributor", "Wholesale"])
        & (df["_CustomerID"] != "")
        & df["OrderDate"].notna()
        & (df["Order Quantity"] > 0)
        & df["Discount Applied"].between(0, 1)
        & df["Unit Price"].notna()
        & df["Unit Cost"].notna()
    ].drop_duplicates()
    df["net_revenue"] = (df["Order Quantity"] * df["Unit Price"] * (1 - df["Discount Applied"])).round(2)
    df["cost"] = df["Order Quantity"] * df["Unit Cost"]
    df["month"] = df["OrderDate"].dt.to_period("M")
    return df


def marts(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    out = {}
    for name, member in [("channel", "Sales Channel"), ("store", "_StoreID"), ("product", "_ProductID")]:
        g = df.groupby(["month", member]).agg(
            orders=("OrderNumber", "nunique"),
            customers=("_CustomerID", "nunique"),
            quantity=("Order Quantity", "sum"),
            net_revenue=("net_revenue", "sum"),
            average_discount=("Discount Applied", "mean"),
            cost=("cost", "sum"),
        )
        g["margin"] = g["net_revenue"] - g["cost"]
        g["share"] = g["net_revenue"] / g.groupby(level=0)["net_revenue"].transform("sum")
        out[name] = g
    first_month = df.groupby("_CustomerID")["month"].transform("min")
    monthly = (
        df.assign(is_new=df["month"] == first_month)
        .groupby("month")
        .agg(net_revenue=("net_revenue", "sum"), orders=("OrderNumber", "nunique"), customers=("_CustomerID", "nunique"))
    )
    monthly["new_customers"] = df[df["month"] == first_month].groupby("month")["_CustomerID"].nunique()
    out["monthly"] = monthly
    return out


def rfm(df: pd.DataFrame) -> pd.DataFrame:
    as_of = df["OrderDate"].max() + pd.Timedelta(days=1)
    r = df.groupby("_CustomerID").agg(last=("OrderDate", "max"), frequency=("OrderNumber", "nunique"), monetary=("net_revenue", "sum"))
    r["recency"] = (as_of - r["last"]).dt.days
    for col, better_high in [("recency", False), ("frequency", True), ("monetary", True)]:
        ranks = (r[col] if better_high else -r[col]).rank(method="min")
        r[f"{col}_score"] = np.minimum(5, 1 + np.floor(5 * (ranks - 1) / max(len(r) - 1, 1))).astype(int)
    return r


def kmeans(r: pd.DataFrame) -> tuple[int, np.ndarray]:
    x = StandardScaler().fit_transform(np.log1p(r[["recency", "frequency", "monetary"]].clip(lower=0)))
    best = (-2.0, 0, None)
    for k in range(3, 9):
        model = KMeans(n_clusters=k, n_init=10, random_state=42).fit(x)
        s = silhouette_score(x, model.labels_, sample_size=min(10_000, len(x)), random_state=42)
        if s > best[0]:
            best = (s, k, model.labels_)
    return best[1], best[2]


def main(path: str) -> int:
    t0 = time.monotonic()
    df = load(path)
    out = marts(df)
    r = rfm(df)
    k, labels = kmeans(r)
    print(
        f"pandas: {len(df):,} clean lines, {len(r):,} customers, k = {k}, "
        f"net revenue {df['net_revenue'].sum():,.2f}, {len(out['monthly'])} months, {time.monotonic() - t0:.1f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
