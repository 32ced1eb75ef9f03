"""make bench: wall time and peak memory of the full dbt build against the pandas way and the floor.

For each size (order lines): generate the data with the project's generator (CSV and Parquet,
cached in data/generated/), then run back to back, each in its own process:
  1. the full `dbt build` (every model, the segmentation, every test) on the CSV, and on the Parquet;
     then, on the CSV's warehouse, the incremental build that adds a day of 1% more lines (a second
     file beside the first: the orders of the day after the generated period, drawn with another
     seed, with order numbers of their own);
  2. bench/pandas_reference.py on the CSV (the seed notebooks' way);
  3. the floor: bench/floor.sql, one DuckDB statement that parses the raw CSV and computes RFM;
  4. the whole-job floor: bench/floor_job.sql, the build's essential work hand-written in DuckDB
     (every column parsed once into one typed table, orders, RFM scores, the four monthly marts).
Wall time and peak resident memory come from /usr/bin/time. The table (ratios build/floor and
pandas/build, and the slowest nodes from dbt's run_results.json) is printed and written to
bench/results/latest.md.

    python bench/run_bench.py --sizes 1000000 10000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # run as a script from bench/: the project's package beside it

from retail_segmentation.generator import Config  # noqa: E402

BIN = Path(sys.executable).parent
GENERATED = PROJECT / "data" / "generated"
RESULTS = PROJECT / "bench" / "results"


def label(lines: int) -> str:
    return f"{lines // 1_000_000}m" if lines % 1_000_000 == 0 else f"{lines // 1000}k"


def measured(cmd: list[str], env: dict | None = None, timeout: int = 4 * 3600, memory_limit_gb: int | None = None) -> dict:
    """Run cmd under /usr/bin/time: wall seconds, peak RSS in GB, and whether it succeeded."""
    stats = RESULTS / "time.txt"
    prefix = ["/usr/bin/time", "-f", "%e %M", "-o", str(stats)]
    if memory_limit_gb:
        prefix += ["prlimit", f"--as={memory_limit_gb << 30}"]
    started = time.monotonic()
    try:
        proc = subprocess.run(prefix + cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "seconds": time.monotonic() - started, "peak_gb": None, "note": f"timed out after {timeout}s"}
    fields = stats.read_text().strip().splitlines()[-1].split()
    seconds, peak_kb = float(fields[0]), int(fields[1])
    ok = proc.returncode == 0
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    note = "" if ok else f"exit {proc.returncode}: " + " | ".join(tail)[-300:]
    return {"ok": ok, "seconds": seconds, "peak_gb": peak_kb / 1024 / 1024, "note": note}


def ensure_data(lines: int) -> tuple[Path, Path, Path]:
    GENERATED.mkdir(parents=True, exist_ok=True)
    csv, parquet, customers = (GENERATED / f"sales_{label(lines)}{ext}" for ext in (".csv", ".parquet", ".customers.csv"))
    for out, extra in [(csv, ["--customers-out", str(customers)]), (parquet, [])]:
        if not out.exists():
            print(f"generating {out.name} ...", flush=True)
            subprocess.run(
                [str(BIN / "python"), "-m", "retail_segmentation.generator", "--lines", str(lines), "--out", str(out), *extra],
                cwd=PROJECT,
                check=True,
            )
    return csv, parquet, customers


def ensure_day(lines: int) -> Path:
    """A day's export for the warehouse of `lines` lines: lines / 100 order lines of the same
    customers, all ordered on the day after the generated period's last (the next day a daily
    export brings), drawn with another seed, with order numbers of their own (SO - D...)."""
    day = GENERATED / f"sales_{label(lines)}.next_day.csv"
    if not day.exists():
        print(f"generating {day.name} ...", flush=True)
        drawn = GENERATED / f"sales_{label(lines)}.next_day.tmp.csv"
        customers = str(max(50, lines // 15))
        next_day = (Config.end_date + dt.timedelta(days=1)).isoformat()
        subprocess.run(
            [str(BIN / "python"), "-m", "retail_segmentation.generator", "--lines", str(lines // 100), "--customers", customers]
            + ["--seed", "4242", "--start-date", next_day, "--end-date", next_day, "--out", str(drawn), "--quiet"],
            cwd=PROJECT,
            check=True,
        )
        with open(drawn) as source, open(day, "w") as out:
            out.writelines(line.replace("SO - ", "SO - D", 1) for line in source)
        drawn.unlink()
    return day


def dbt_build(
    raw: Path, customers: Path, name: str, duckdb_memory_gb: int, day: Path | None = None
) -> tuple[dict, list[tuple[str, float]], list[tuple[str, float]], dict | None]:
    """The full build of `raw` (read through a directory glob), then with `day` the incremental
    build that adds it: (build, slowest nodes, lifecycle nodes, incremental day)."""
    work = RESULTS / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    files = work / "raw"
    files.mkdir()
    (files / f"sales{raw.suffix}").symlink_to(raw.resolve())
    env = dict(os.environ)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT / "profiles"),
        DUCKDB_PATH=str(work / "retail.duckdb"),
        DUCKDB_PUBLISH_PATH=str(work / "published.duckdb"),
        DUCKDB_TEMP_DIRECTORY=str(work / "duckdb_tmp"),
        DUCKDB_MEMORY_LIMIT=f"{duckdb_memory_gb}GB",
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    vars = json.dumps({"raw_sales_path": str(files / f"*{raw.suffix}"), "raw_customers_path": str(customers)})
    result = measured([str(BIN / "dbt"), "build", "--vars", vars], env=env)
    added_day = None
    if day is not None and result["ok"]:
        (work / "target" / "run_results.json").rename(work / "full_run_results.json")
        (files / f"sales.day{raw.suffix}").symlink_to(day.resolve())
        added_day = measured([str(BIN / "dbt"), "build", "--vars", vars], env=env)
        (work / "target" / "run_results.json").rename(work / "day_run_results.json")
        (work / "full_run_results.json").rename(work / "target" / "run_results.json")
    slowest, lifecycle = [], []
    if added_day is not None and (work / "day_run_results.json").exists():
        nodes = json.loads((work / "day_run_results.json").read_text())["results"]
        added_day["slowest"] = sorted(((n["unique_id"].split(".", 1)[1], n["execution_time"]) for n in nodes), key=lambda t: -t[1])[:8]
    run_results = work / "target" / "run_results.json"
    if run_results.exists():
        nodes = json.loads(run_results.read_text())["results"]
        # the lifecycle models (models/*/lifecycle/), each with its time: what CLV, churn, cohorts,
        # history, migration and experiments cost
        manifest = json.loads((work / "target" / "manifest.json").read_text())["nodes"]
        lifecycle = [
            (n["unique_id"].rsplit(".", 1)[1], n["execution_time"])
            for n in nodes
            if "/lifecycle/" in manifest.get(n["unique_id"], {}).get("original_file_path", "") and n["unique_id"].startswith("model.")
        ]
        # the on-run-end hook (the publish step) is among them as retail_segmentation-on-run-end-0
        slowest = sorted(((n["unique_id"].split(".", 1)[1], n["execution_time"]) for n in nodes), key=lambda t: -t[1])[:8]
    for built in ("retail.duckdb", "published.duckdb"):  # several GB at 100M lines
        (work / built).unlink(missing_ok=True)
    return result, slowest, lifecycle, added_day


def floor(raw: Path) -> dict:
    sql = (PROJECT / "bench" / "floor.sql").read_text().replace("{path}", str(raw))
    script = (
        "import duckdb, sys; con = duckdb.connect(config="
        f"{{'threads': 2, 'memory_limit': '12GB', 'temp_directory': '{RESULTS / 'floor_tmp'}'}}); "
        "con.execute('create table rfm as ' + sys.stdin.read()); "
        "print(con.execute('select count(*) from rfm').fetchall())"
    )
    path = RESULTS / "floor.sql"
    path.write_text(sql)
    return measured(["sh", "-c", f'{BIN / "python"} -c "{script}" < {path}'])


def job_floor(raw: Path) -> dict:
    """bench/floor_job.sql as one script in one connection, on a file database."""
    sql = (PROJECT / "bench" / "floor_job.sql").read_text().replace("{path}", str(raw))
    path = RESULTS / "floor_job.sql"
    path.write_text(sql)
    database = RESULTS / "floor_job.duckdb"
    database.unlink(missing_ok=True)
    script = (
        "import duckdb, sys; "
        f"con = duckdb.connect('{database}', config={{'threads': 2, 'memory_limit': '8GB', "
        f"'temp_directory': '{RESULTS / 'floor_tmp'}'}}); "
        "con.execute(sys.stdin.read()); "
        "print(con.execute('select count(*) from sales_lines').fetchall())"
    )
    result = measured(["sh", "-c", f'{BIN / "python"} -c "{script}" < {path}'])
    database.unlink(missing_ok=True)
    return result


def fmt(result: dict | None, what: str) -> str:
    if result is None:
        return "not run"
    if not result["ok"]:
        return f"failed after {result['seconds']:.0f} s" if what == "seconds" else "failed"
    return f"{result[what]:.1f}" if what == "seconds" else f"{result[what]:.2f}"


def ratio(a: dict | None, b: dict | None) -> str:
    if not a or not b or not a["ok"] or not b["ok"]:
        return "n/a"
    return f"{a['seconds'] / b['seconds']:.2f}"


def report(rows: list[str], details: list[str]) -> str:
    """The table as markdown, written to bench/results/latest.md."""
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {memory_gib:.0f} GiB RAM, Python {platform.python_version()}"
    text = "\n".join(
        [
            f"Machine: {machine}; run {time.strftime('%Y-%m-%d')}",
            "",
            "| order lines | dbt build CSV (s) | build peak (GB) | + 1% day (s) | day / build | dbt build Parquet (s) "
            "| floor (s) | job floor (s) | pandas (s) | pandas peak (GB) | build / floor | build / job floor | pandas / build |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            *details,
        ]
    )
    (RESULTS / "latest.md").write_text(text + "\n")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--pandas-max-lines", type=int, default=200_000_000, help="skip pandas above this size")
    parser.add_argument("--pandas-memory-gb", type=int, default=22, help="address-space cap for pandas (it fails, not the machine)")
    parser.add_argument(
        "--duckdb-memory-gb",
        type=int,
        default=8,
        help="DuckDB's memory_limit in the build: the dbt process (DuckDB + the Python models' pandas) must stay under 12 GB",
    )
    parser.add_argument("--no-parquet", action="store_true", help="skip the build on Parquet")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)

    rows, details = [], []
    for lines in args.sizes:
        csv, parquet, customers = ensure_data(lines)
        name = label(lines)
        print(f"[{name}] dbt build on CSV ...", flush=True)
        build, slowest, lifecycle, added_day = dbt_build(csv, customers, f"build_{name}_csv", args.duckdb_memory_gb, ensure_day(lines))
        build_parquet = None
        if not args.no_parquet:
            print(f"[{name}] dbt build on Parquet ...", flush=True)
            build_parquet, _, _, _ = dbt_build(parquet, customers, f"build_{name}_parquet", args.duckdb_memory_gb)
        print(f"[{name}] floor ...", flush=True)
        low = floor(csv)
        print(f"[{name}] whole-job floor ...", flush=True)
        job_low = job_floor(csv)
        pandas = None
        if lines <= args.pandas_max_lines:
            print(f"[{name}] pandas reference ...", flush=True)
            pandas = measured([str(BIN / "python"), "bench/pandas_reference.py", str(csv)], memory_limit_gb=args.pandas_memory_gb)
        rows.append(
            f"| {lines:,} | {fmt(build, 'seconds')} | {fmt(build, 'peak_gb')} | {fmt(added_day, 'seconds')} | "
            f"{ratio(added_day, build)} | {fmt(build_parquet, 'seconds')} | "
            f"{fmt(low, 'seconds')} | {fmt(job_low, 'seconds')} | {fmt(pandas, 'seconds')} | {fmt(pandas, 'peak_gb')} | "
            f"{ratio(build, low)} | {ratio(build, job_low)} | {ratio(pandas, build)} |"
        )
        for what, result in [
            ("build csv", build),
            ("1% day", added_day),
            ("build parquet", build_parquet),
            ("floor", low),
            ("job floor", job_low),
            ("pandas", pandas),
        ]:
            if result and not result["ok"]:
                details.append(f"- {name} {what}: {result['note']}")
        details.append(f"- {name} slowest dbt nodes (s): " + ", ".join(f"{n} {t:.1f}" for n, t in slowest))
        if added_day and added_day["ok"]:
            details.append(f"- {name} 1% day: {added_day['seconds']:.1f} s, peak {added_day['peak_gb']:.2f} GB")
        if added_day and added_day.get("slowest"):
            details.append(f"- {name} slowest on the 1% day (s): " + ", ".join(f"{n} {t:.1f}" for n, t in added_day["slowest"]))
        details.append(
            f"- {name} lifecycle models (s, {sum(t for _, t in lifecycle):.1f} in all): "
            + ", ".join(f"{n} {t:.1f}" for n, t in sorted(lifecycle, key=lambda item: -item[1]))
        )
        print(rows[-1], flush=True)
        report(rows, details)  # written after every size: a crash at 100M keeps the smaller sizes

    print("\n" + report(rows, details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
