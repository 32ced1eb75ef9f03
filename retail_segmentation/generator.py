"""Deterministic generator of retail-chain order exports (the `retail_chain` raw layout).

Writes realistic order lines at any size, from a thousand to 100 million, streaming in
fixed-size chunks so memory stays flat. Every value is drawn with NumPy from one seeded
generator per chunk, formatted through small lookup tables (dates, money, discounts) and
written by pyarrow: no per-row Python.

What "realistic" means here, and where it is made:
- heavy-tailed customer value: a lognormal purchase propensity per customer, so a small share
  of customers brings most revenue (`_customers`);
- customers who stop buying: a share of customers churns after an exponential lifetime;
- seasonality and growth: month weights (November/December peak) and a yearly trend (`_day_weights`);
- four channels with different quantity and discount mixes (`CHANNELS`);
- hundreds of stores with uneven traffic, about fifty products with their own price, cost and
  discount levels (`_catalogue`);
- the spreadsheet quirks of the real export: day-first dates in four shapes plus ISO, money as
  `"$1,001.18"` or `1001.18`;
- a controllable rate of bad rows, one defect each, of the kinds staging must quarantine
  (`DEFECTS`);
- an optional experiments file (`--experiments-out`): customers assigned to control or treatment
  of a win-back campaign, whose treated customers place extra orders with a known probability,
  and an A/A test with no effect (`draw_experiments`);
- the forms other tools save the same data in (`--delimiter`, `--encoding`, `--decimal-comma`
  for a European export) and a rate of lines broken as a hand edit breaks them
  (`--malformed-rate`: a field dropped, a field added, a stray quote).

Same arguments, same bytes: the chunk size is fixed and each chunk seeds its own generator from
(seed, chunk index).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from retail_segmentation.layouts import layout_header

# the export's header, from the layout's definition in dbt_project.yml
RETAIL_CHAIN_COLUMNS = layout_header("retail_chain")

# channel: (share of lines, preferred-by share of customers, quantity range, discount levels
# and their weights). Wholesale and Distributor buy more units at deeper discounts.
CHANNELS = {
    "In-Store": (0.41, (1, 5), [0.05, 0.075, 0.1, 0.15], [0.45, 0.25, 0.2, 0.1]),
    "Online": (0.32, (1, 4), [0.05, 0.075, 0.1, 0.15, 0.2], [0.3, 0.25, 0.2, 0.15, 0.1]),
    "Distributor": (0.16, (3, 8), [0.075, 0.1, 0.15, 0.2, 0.3], [0.2, 0.3, 0.25, 0.15, 0.1]),
    "Wholesale": (0.11, (4, 8), [0.1, 0.15, 0.2, 0.3, 0.4], [0.2, 0.3, 0.25, 0.15, 0.1]),
}
CHANNEL_NAMES = list(CHANNELS)

# Bad-row kinds, one defect per bad row. Names match the quarantine reason codes staging gives.
DEFECTS = [
    "unparseable_date",
    "non_numeric_money",
    "non_positive_quantity",
    "discount_out_of_range",
    "unknown_channel",
    "missing_customer_id",
    "duplicate_line",
]

MONTH_WEIGHTS = np.array([0.85, 0.8, 0.9, 0.95, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05, 1.3, 1.5])
CHUNK_LINES = 250_000
N_PRICE_POINTS = 12


@dataclass(frozen=True)
class Config:
    lines: int
    customers: int
    seed: int = 42
    bad_rate: float = 0.005
    start_date: dt.date = dt.date(2018, 1, 1)
    end_date: dt.date = dt.date(2020, 12, 31)
    stores: int = 367
    products: int = 50
    sales_teams: int = 28
    warehouses: int = 6
    # the form of the CSV file: field delimiter, text encoding, decimal comma (1.001,18; 0,05)
    delimiter: str = ","
    encoding: str = "utf-8"
    decimal_comma: bool = False
    malformed_rate: float = 0.0


def default_customers(lines: int) -> int:
    """About 15 lines per customer, at least 50: a few thousand customers for the sample."""
    return max(50, lines // 15)


# --------------------------------------------------------------------------------------------
# The fixed world: catalogue, stores, customers, calendar. Drawn once from the seed.
# --------------------------------------------------------------------------------------------


def _day_weights(cfg: Config) -> tuple[np.ndarray, np.ndarray]:
    """Days of the period as ordinals and their seasonal, growing weights."""
    first, last = cfg.start_date.toordinal(), cfg.end_date.toordinal()
    ordinals = np.arange(first, last + 1)
    months = np.array([dt.date.fromordinal(int(o)).month for o in ordinals])
    years_in = (ordinals - first) / 365.25
    weights = MONTH_WEIGHTS[months - 1] * (1.0 + 0.15 * years_in)
    return ordinals, weights


def _catalogue(cfg: Config, rng: np.random.Generator) -> dict:
    products = cfg.products
    base_price = np.clip(np.round(rng.lognormal(np.log(1400), 0.85, products), 1), 120, 7000)
    cost_share = rng.uniform(0.42, 0.82, products)
    popularity = rng.zipf(1.6, products).astype(float)
    popularity = np.minimum(popularity, 40) + rng.uniform(0.5, 1.5, products)
    # a price grid per product: list prices drift around the base price between batches
    factors = np.linspace(0.85, 1.15, N_PRICE_POINTS)
    price_cents = np.round(base_price[:, None] * factors[None, :] * 100).astype(np.int64)
    cost_cents = np.round(price_cents * cost_share[:, None] * rng.uniform(0.95, 1.05, (products, N_PRICE_POINTS))).astype(np.int64)
    store_weight = rng.lognormal(0, 0.7, cfg.stores)
    store_warehouse = rng.integers(0, cfg.warehouses, cfg.stores)
    return {
        "price_cents": price_cents,
        "cost_cents": cost_cents,
        "product_p": popularity / popularity.sum(),
        "store_p": store_weight / store_weight.sum(),
        "store_warehouse": store_warehouse,
    }


def _customers(cfg: Config, rng: np.random.Generator, day_ordinals: np.ndarray) -> dict:
    n = cfg.customers
    n_days = len(day_ordinals)
    # purchase propensity: lognormal with a heavy tail (top 20% of customers ~ 60-70% of orders)
    propensity = rng.lognormal(0.0, 1.1, n)
    # bigger spenders also buy dearer products more often: a tilt towards the catalogue's top
    value_tilt = np.clip(rng.normal(0, 1, n) + 0.4 * np.log(propensity), -2.5, 2.5)
    # start spread over the first 80% of the period, front-loaded (an established base)
    start = np.minimum((rng.beta(1.0, 1.8, n) * n_days * 0.8).astype(np.int64), n_days - 1)
    # 40% churn after an exponential lifetime; the others stay until the end
    churns = rng.random(n) < 0.40
    lifetime = rng.exponential(200, n).astype(np.int64) + 1
    end = np.where(churns, np.minimum(start + lifetime, n_days - 1), n_days - 1)
    preferred = rng.choice(len(CHANNEL_NAMES), n, p=[c[0] for c in CHANNELS.values()])
    window = (end - start + 1).astype(float)
    weight = propensity * np.sqrt(window)
    return {
        "start": start,
        "end": end,
        "p": weight / weight.sum(),
        "value_tilt": value_tilt,
        "preferred": preferred,
    }


def _date_strings(day_ordinals: np.ndarray) -> list[np.ndarray]:
    """For every day, its text in each export shape: d/m/yy, dd/mm/yy, d/m/yyyy, dd/mm/yyyy, ISO."""
    dates = [dt.date.fromordinal(int(o)) for o in day_ordinals]
    shapes = [
        lambda d: f"{d.day}/{d.month}/{d.year % 100:02d}",
        lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
        lambda d: f"{d.day}/{d.month}/{d.year}",
        lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
        lambda d: d.isoformat(),
    ]
    return [np.array([shape(d) for d in dates], dtype=object) for shape in shapes]


DATE_SHAPE_P = [0.4, 0.25, 0.15, 0.15, 0.05]


def _money_strings(cents: np.ndarray, decimal_comma: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Spreadsheet text "$1,001.18" and plain text 1001.18 for an array of cents; with a decimal
    comma, "1.001,18 $" and 1001,18."""
    flat = cents.ravel()
    if decimal_comma:
        quoted = [f"{c / 100:,.2f}".translate(_TO_DECIMAL_COMMA) + " $" for c in flat]
        plain = [f"{c / 100:.2f}".translate(_TO_DECIMAL_COMMA) for c in flat]
    else:
        quoted = [f"${c / 100:,.2f}" for c in flat]
        plain = [f"{c / 100:.2f}" for c in flat]
    return np.array(quoted, dtype=object).reshape(cents.shape), np.array(plain, dtype=object).reshape(cents.shape)


_TO_DECIMAL_COMMA = str.maketrans({",": ".", ".": ","})


def _number_text(value: str, decimal_comma: bool) -> str:
    return value.translate(_TO_DECIMAL_COMMA) if decimal_comma else value


class World:
    """Everything fixed for one (seed, customers) pair; chunks draw lines from it."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        rng = np.random.default_rng([cfg.seed, 0])
        self.day_ordinals, day_w = _day_weights(cfg)
        self.day_cdf = np.cumsum(day_w) / day_w.sum()
        self.cat = _catalogue(cfg, rng)
        self.cust = _customers(cfg, rng, self.day_ordinals)
        self.date_text = _date_strings(np.arange(self.day_ordinals[0] - 130, self.day_ordinals[-1] + 40))
        self.date_offset = 130  # index of day_ordinals[0] in date_text
        self.price_text = _money_strings(self.cat["price_cents"], cfg.decimal_comma)
        self.cost_text = _money_strings(self.cat["cost_cents"], cfg.decimal_comma)
        # products sorted by price, so a customer's value tilt shifts the product mix
        self.products_by_price = np.argsort(self.cat["price_cents"][:, N_PRICE_POINTS // 2])
        self.price_rank = np.empty(cfg.products, dtype=np.int64)
        self.price_rank[self.products_by_price] = np.arange(cfg.products)

    # ----------------------------------------------------------------------------------------
    def chunk(
        self, index: int, n_lines: int, first_order_number: int, orders: tuple[np.ndarray, np.ndarray] | None = None
    ) -> tuple[pa.Table, int]:
        """Lines of chunk `index`; returns the table and the next free order number. `orders`,
        (customer index, day index) arrays, asks for exactly those one-line orders instead (the
        experiment's campaign orders), drawn from their own generator."""
        cfg, cust, cat = self.cfg, self.cust, self.cat
        if orders is None:
            rng = np.random.default_rng([cfg.seed, 1, index])
            # orders: 1 line (78%), 2 (16%) or 3 (6%)
            lines_per_order = rng.choice([1, 2, 3], n_lines, p=[0.78, 0.16, 0.06])
            order_of_line = np.repeat(np.arange(n_lines), lines_per_order)[:n_lines]
            n_orders = int(order_of_line[-1]) + 1

            customer = rng.choice(cfg.customers, n_orders, p=cust["p"])
            lo = np.where(cust["start"][customer] > 0, self.day_cdf[cust["start"][customer] - 1], 0.0)
            hi = self.day_cdf[cust["end"][customer]]
            day = np.searchsorted(self.day_cdf, lo + rng.random(n_orders) * (hi - lo), side="left")
            day = np.clip(day, cust["start"][customer], cust["end"][customer])
        else:
            rng = np.random.default_rng([cfg.seed, 3, index])
            customer, day = orders
            n_orders = n_lines = len(customer)
            order_of_line = np.arange(n_orders)

        channel = np.where(
            rng.random(n_orders) < 0.7,
            cust["preferred"][customer],
            rng.choice(len(CHANNEL_NAMES), n_orders, p=[c[0] for c in CHANNELS.values()]),
        )
        store = rng.choice(cfg.stores, n_orders, p=cat["store_p"])
        team = rng.integers(1, cfg.sales_teams + 1, n_orders)
        procured_lag = rng.integers(10, 120, n_orders)
        ship_lag = rng.integers(2, 16, n_orders)
        delivery_lag = ship_lag + rng.integers(1, 8, n_orders)
        date_shape = rng.choice(len(DATE_SHAPE_P), n_orders, p=DATE_SHAPE_P)
        money_plain = rng.random(n_orders) < 0.3

        # per line: product (popularity, tilted by customer value), quantity, discount
        c_line = customer[order_of_line]
        ch_line = channel[order_of_line]
        product = rng.choice(cfg.products, n_lines, p=cat["product_p"])
        tilt = cust["value_tilt"][c_line]
        upgrade = rng.random(n_lines) < np.clip(0.25 * tilt, 0, 0.6)
        rank = self.price_rank[product]
        rank = np.where(upgrade, np.minimum(rank + rng.integers(5, 20, n_lines), cfg.products - 1), rank)
        product = self.products_by_price[rank]
        price_point = rng.integers(0, N_PRICE_POINTS, n_lines)

        quantity = np.empty(n_lines, dtype=np.int64)
        discount = np.empty(n_lines, dtype=object)
        for k, (_, (q_lo, q_hi), levels, weights) in enumerate(CHANNELS.values()):
            on = ch_line == k
            quantity[on] = rng.integers(q_lo, q_hi + 1, on.sum())
            discount[on] = np.array([_number_text(f"{x:g}", cfg.decimal_comma) for x in levels], dtype=object)[
                rng.choice(len(levels), on.sum(), p=weights)
            ]

        def dates(lag_sign: int, lag: np.ndarray) -> np.ndarray:
            idx = self.date_offset + day + lag_sign * lag
            out = np.empty(n_orders, dtype=object)
            for s in range(len(DATE_SHAPE_P)):
                on = date_shape == s
                out[on] = self.date_text[s][idx[on]]
            return out[order_of_line]

        plain_line = money_plain[order_of_line]
        price = np.where(plain_line, self.price_text[1][product, price_point], self.price_text[0][product, price_point])
        cost = np.where(plain_line, self.cost_text[1][product, price_point], self.cost_text[0][product, price_point])

        order_numbers = first_order_number + order_of_line
        columns = {
            "OrderNumber": np.char.add("SO - ", np.char.zfill(order_numbers.astype(str), 6)).astype(object),
            "Sales Channel": np.array(CHANNEL_NAMES, dtype=object)[ch_line],
            "WarehouseCode": np.array([f"WARE-{w:03d}" for w in range(1, cfg.warehouses + 1)], dtype=object)[cat["store_warehouse"][store]][
                order_of_line
            ],
            "ProcuredDate": dates(-1, procured_lag),
            "OrderDate": dates(0, np.zeros(n_orders, dtype=np.int64)),
            "ShipDate": dates(1, ship_lag),
            "DeliveryDate": dates(1, delivery_lag),
            "CurrencyCode": np.full(n_lines, "USD", dtype=object),
            "_SalesTeamID": team[order_of_line],
            "_CustomerID": customer[order_of_line] + 1,
            "_StoreID": store[order_of_line] + 1,
            "_ProductID": product + 1,
            "Order Quantity": quantity,
            "Discount Applied": discount,
            "Unit Cost": cost,
            "Unit Price": price,
        }
        self._inject_defects(rng, columns, n_lines)
        self._mark_malformed(rng, columns, n_lines)
        table = pa.table({name: _arrow(columns[name]) for name in RETAIL_CHAIN_COLUMNS})
        return table, first_order_number + n_orders

    def _inject_defects(self, rng: np.random.Generator, columns: dict, n_lines: int) -> None:
        if self.cfg.bad_rate <= 0:
            return
        bad = np.flatnonzero(rng.random(n_lines) < self.cfg.bad_rate)
        kind = rng.integers(0, len(DEFECTS), len(bad))
        for k, name in enumerate(DEFECTS):
            rows = bad[kind == k]
            if name == "unparseable_date":
                columns["OrderDate"][rows] = rng.choice(["31/02/2019", "N/A", "2019-13-45", "1/1/"], len(rows))
            elif name == "non_numeric_money":
                columns["Unit Price"][rows] = rng.choice(["N/A", "$1.0O1,18", "#VALUE!", ""], len(rows))
            elif name == "non_positive_quantity":
                columns["Order Quantity"][rows] = rng.choice([0, -1, -3], len(rows))
            elif name == "discount_out_of_range":
                values = [_number_text(v, self.cfg.decimal_comma) for v in ["1.5", "-0.1", "15"]]
                columns["Discount Applied"][rows] = rng.choice(values, len(rows))
            elif name == "unknown_channel":
                columns["Sales Channel"][rows] = rng.choice(["Telephone", "Catalog"], len(rows))
            elif name == "missing_customer_id":
                columns["_CustomerID"][rows] = -1  # written as an empty field
            elif name == "duplicate_line":
                rows = rows[rows > 0]
                for col in columns.values():
                    col[rows] = col[rows - 1]

    def _mark_malformed(self, rng: np.random.Generator, columns: dict, n_lines: int) -> None:
        """Put a marker in the last column of malformed lines; _CsvAppender breaks those lines."""
        if self.cfg.malformed_rate <= 0:
            return
        rows = np.flatnonzero(rng.random(n_lines) < self.cfg.malformed_rate)
        columns["Unit Price"][rows] = rng.choice(list(MALFORMED), len(rows))


# Markers of malformed lines and what each becomes in the file (with "," standing for the
# delimiter): the last field dropped, an extra field, a stray quote in a field.
MALFORMED = {"@@SHORT@@": None, "@@LONG@@": "1.00,extra", "@@QUOTE@@": '12"50'}


def _arrow(values: np.ndarray) -> pa.Array:
    """Text columns as strings; id and quantity columns as integers, negative ids as empty."""
    if values.dtype == object:
        return pa.array(values, type=pa.string())
    return pa.array(values, mask=values == -1) if values.min(initial=0) == -1 else pa.array(values)


def _customers_table(world: World) -> pa.Table:
    """The optional customers file: id, age, gender, income, country."""
    cfg = world.cfg
    rng = np.random.default_rng([cfg.seed, 2])
    n = cfg.customers
    tilt = world.cust["value_tilt"]
    age = np.clip(np.round(rng.normal(44, 13, n) + 3 * tilt), 18, 85).astype(np.int64)
    income = np.round(np.exp(rng.normal(np.log(52000), 0.45, n) + 0.12 * tilt), -2).astype(np.int64)
    gender = np.array(["Female", "Male", "Other"], dtype=object)[rng.choice(3, n, p=[0.51, 0.47, 0.02])]
    countries = np.array(["United States", "Canada", "Mexico", "United Kingdom", "Germany"], dtype=object)
    country = countries[rng.choice(len(countries), n, p=[0.72, 0.12, 0.07, 0.05, 0.04])]
    return pa.table(
        {
            "customer_id": pa.array(np.arange(1, n + 1)),
            "age": pa.array(age),
            "gender": pa.array(gender, type=pa.string()),
            "income": pa.array(income),
            "country": pa.array(country, type=pa.string()),
        }
    )


# The experiments the generator writes with --experiments-out, both starting 90 days before the
# period ends, customers assigned over two weeks: a win-back campaign whose treated customers
# each place one extra order within EXPERIMENT_WINDOW_DAYS after assignment with probability
# lift, and an A/A test (a subject line that changes nothing), whose true effect is 0.
EXPERIMENTS = [("winback_2020q4", 0.25), ("subject_line_aa", 0.0)]
EXPERIMENT_WINDOW_DAYS = 30
EXPERIMENT_ENROLLED_SHARE = 0.6


@dataclass(frozen=True)
class Experiments:
    """The assignments (one row per customer and experiment) and the campaign orders they cause."""

    assignments: pa.Table
    campaign_customers: np.ndarray
    campaign_days: np.ndarray


def draw_experiments(world: World) -> Experiments:
    """Customers still buying when the experiments start, each enrolled in each experiment with
    probability EXPERIMENT_ENROLLED_SHARE, half to control and half to treatment, assigned on a
    day of the first two weeks at a time of day; a treated customer of an experiment with lift
    L gets one campaign order on a day 1..EXPERIMENT_WINDOW_DAYS after assignment with
    probability L. Customers in control get nothing: their orders are the ones they would have
    placed anyway, so treatment minus control estimates the lift."""
    cfg, cust = world.cfg, world.cust
    rng = np.random.default_rng([cfg.seed, 4])
    first_day = len(world.day_ordinals) - 90
    eligible = np.flatnonzero((cust["start"] <= first_day) & (cust["end"] >= first_day))
    ids, experiment_ids, variants, stamps, campaign_customers, campaign_days = [], [], [], [], [], []
    for experiment_id, lift in EXPERIMENTS:
        enrolled = eligible[rng.random(len(eligible)) < EXPERIMENT_ENROLLED_SHARE]
        treated = rng.random(len(enrolled)) < 0.5
        day = first_day + rng.integers(0, 14, len(enrolled))
        seconds = rng.integers(8 * 3600, 20 * 3600, len(enrolled))
        responds = treated & (rng.random(len(enrolled)) < lift)
        order_day = day + rng.integers(1, EXPERIMENT_WINDOW_DAYS + 1, len(enrolled))
        keep = responds & (order_day < len(world.day_ordinals))
        campaign_customers.append(enrolled[keep])
        campaign_days.append(order_day[keep])
        ids.append(enrolled + 1)
        experiment_ids.append(np.full(len(enrolled), experiment_id, dtype=object))
        variants.append(np.where(treated, "treatment", "control").astype(object))
        stamps.append(
            np.array(
                [
                    f"{dt.date.fromordinal(int(world.day_ordinals[d])).isoformat()} {s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
                    for d, s in zip(day, seconds)
                ],
                dtype=object,
            )
        )
    assignments = pa.table(
        {
            "customer_id": pa.array(np.concatenate(ids)),
            "experiment_id": pa.array(np.concatenate(experiment_ids), type=pa.string()),
            "variant": pa.array(np.concatenate(variants), type=pa.string()),
            "assigned_at": pa.array(np.concatenate(stamps), type=pa.string()),
        }
    )
    customers, days = np.concatenate(campaign_customers), np.concatenate(campaign_days)
    order = np.lexsort((customers, days))
    return Experiments(assignments, customers[order], days[order])


class _Progress:
    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self.t0 = total, enabled, time.monotonic()

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        share = done / self.total
        bar = "#" * int(share * 30)
        rate = done / max(time.monotonic() - self.t0, 1e-9)
        print(f"\r[{bar:<30}] {done:>12,}/{self.total:,} lines {rate:,.0f}/s", end="", file=sys.stderr, flush=True)
        if done >= self.total:
            print(file=sys.stderr)


class _CsvAppender:
    """Appends arrow tables to one CSV file as a spreadsheet writes it: quotes only where needed.

    pyarrow's CSV writer quotes every string; DuckDB's quotes only values holding a comma, a
    quote or a newline, as the real exports do. Each chunk goes through DuckDB to a scratch file
    and is appended, header once.
    """

    def __init__(self, out: Path, delimiter: str = ",", encoding: str = "utf-8", malformed: bool = False):
        self.out = out
        self.scratch = out.with_name(out.name + ".chunk")
        self.handle = open(out, "wb")  # noqa: SIM115 (closed by close(), after every chunk is written)
        self.con = duckdb.connect()
        self.header = True
        self.delimiter, self.encoding, self.malformed = delimiter, encoding, malformed

    def write(self, table: pa.Table) -> None:
        self.con.register("chunk", table)
        header = "true" if self.header else "false"
        delimiter = self.delimiter.replace("'", "''")
        self.con.execute(f"copy chunk to '{self.scratch}' (format csv, header {header}, delimiter '{delimiter}')")
        self.con.unregister("chunk")
        if self.delimiter == "," and self.encoding == "utf-8" and not self.malformed:
            with open(self.scratch, "rb") as chunk_file:
                shutil.copyfileobj(chunk_file, self.handle, 1 << 20)
        else:
            self.handle.write(self._reformed(self.scratch.read_bytes()))
        self.header = False

    def _reformed(self, chunk: bytes) -> bytes:
        """The chunk with malformed lines broken and in the file's encoding (whole-chunk operations)."""
        delimiter = self.delimiter.encode()
        for marker, broken in MALFORMED.items():
            if broken is None:
                chunk = chunk.replace(delimiter + marker.encode(), b"")
            else:
                chunk = chunk.replace(marker.encode(), broken.replace(",", self.delimiter).encode())
        if self.encoding == "utf-8":
            return chunk
        text = chunk.decode("utf-8")
        if self.encoding == "utf-16":  # as Excel's "Unicode text": little-endian with a byte-order mark
            return ("\ufeff" if self.header else "").encode("utf-16-le") + text.encode("utf-16-le")
        return text.encode(self.encoding)

    def close(self) -> None:
        self.handle.close()
        self.con.close()
        self.scratch.unlink(missing_ok=True)


class _ParquetAppender:
    def __init__(self, out: Path):
        self.out, self.writer = out, None

    def write(self, table: pa.Table) -> None:
        if self.writer is None:
            self.writer = pq.ParquetWriter(str(self.out), table.schema, compression="zstd")
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def generate(
    cfg: Config,
    out: Path,
    fmt: str = "csv",
    customers_out: Path | None = None,
    progress: bool | None = None,
    experiments_out: Path | None = None,
) -> int:
    """Write `cfg.lines` order lines to `out` (csv or parquet); returns the lines written. With
    experiments_out, also the experiments file, and the campaign orders of its treated
    customers after the `cfg.lines` lines (one line each, counted in the lines returned)."""
    if cfg.lines < 1 or cfg.customers < 1:
        raise ValueError("lines and customers must be positive")
    world = World(cfg)
    out.parent.mkdir(parents=True, exist_ok=True)
    bar = _Progress(cfg.lines, progress if progress is not None else cfg.lines >= 1_000_000)
    written, order_number, index = 0, 101, 0
    writer = (
        _CsvAppender(out, cfg.delimiter, cfg.encoding, cfg.malformed_rate > 0)
        if fmt == "csv"
        else _ParquetAppender(out)
        if fmt == "parquet"
        else None
    )
    if writer is None:
        raise ValueError(f"unknown format {fmt!r}: csv or parquet")
    try:
        while written < cfg.lines:
            n = min(CHUNK_LINES, cfg.lines - written)
            table, order_number = world.chunk(index, n, order_number)
            writer.write(table)
            written += n
            index += 1
            bar.update(written)
        if experiments_out is not None:
            experiments = draw_experiments(world)
            campaign = (experiments.campaign_customers, experiments.campaign_days)
            table, order_number = world.chunk(0, len(experiments.campaign_customers), order_number, orders=campaign)
            writer.write(table)
            written += table.num_rows
            experiments_out.parent.mkdir(parents=True, exist_ok=True)
            appender = _CsvAppender(experiments_out)
            appender.write(experiments.assignments)
            appender.close()
    finally:
        writer.close()
    if customers_out is not None:
        customers_out.parent.mkdir(parents=True, exist_ok=True)
        appender = _CsvAppender(customers_out)
        appender.write(_customers_table(world))
        appender.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, required=True, help="order lines to write")
    parser.add_argument("--out", type=Path, required=True, help="output file (.csv or .parquet)")
    parser.add_argument("--customers", type=int, help="customers (default: lines / 15, at least 50)")
    parser.add_argument("--customers-out", type=Path, help="also write the customers file here")
    parser.add_argument("--experiments-out", type=Path, help="also write the experiments file here (and the campaign orders)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bad-rate", type=float, default=0.005, help="share of bad rows (default 0.005)")
    parser.add_argument("--format", choices=["csv", "parquet"], help="default: from --out's suffix")
    parser.add_argument("--delimiter", choices=[",", ";", "tab", "|"], default=",", help="CSV field delimiter")
    parser.add_argument("--encoding", choices=["utf-8", "latin-1", "cp1252", "utf-16"], default="utf-8")
    parser.add_argument("--decimal-comma", action="store_true", help="write numbers as 1.001,18 and 0,05 (European)")
    parser.add_argument("--malformed-rate", type=float, default=0.0, help="share of lines broken by hand (default 0)")
    parser.add_argument("--start-date", type=dt.date.fromisoformat, default=Config.start_date, help="first order day (default 2018-01-01)")
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=Config.end_date, help="last order day (default 2020-12-31)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.end_date < args.start_date:
        parser.error("--end-date must not be before --start-date")
    for name in ["bad_rate", "malformed_rate"]:
        if not 0 <= getattr(args, name) <= 1:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 1")
    fmt = args.format or ("parquet" if args.out.suffix == ".parquet" else "csv")
    cfg = Config(
        lines=args.lines,
        customers=args.customers or default_customers(args.lines),
        seed=args.seed,
        bad_rate=args.bad_rate,
        delimiter="\t" if args.delimiter == "tab" else args.delimiter,
        encoding=args.encoding,
        decimal_comma=args.decimal_comma,
        malformed_rate=args.malformed_rate,
        start_date=args.start_date,
        end_date=args.end_date,
    )
    t0 = time.monotonic()
    n = generate(cfg, args.out, fmt, args.customers_out, progress=False if args.quiet else None, experiments_out=args.experiments_out)
    print(f"wrote {n:,} lines for {cfg.customers:,} customers to {args.out} in {time.monotonic() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
