# Everything a new machine needs goes through these targets: they create .venv, install the
# pinned requirements, and run dbt with this repo's profile.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DUCKDB_CLIENT_VENVS := .venv-duckdb11 .venv-duckdb14 .venv-duckdb15
# pantab (its wheel carries Tableau's Hyper engine, ~300 MB): an optional extra in its own environment
HYPER_VENV := .venv-hyper
# dbt-spark and pyspark for make spark, in their own environment
SPARK_VENV := .venv-spark
# apt-get needs root: sudo when not root
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# dbt builds into DUCKDB_PATH; BI tools open DUCKDB_PUBLISH_PATH, replaced only after a fully
# successful build (README "Connecting Tableau and Power BI").
export DUCKDB_PATH ?= warehouse/build/retail.duckdb
export DUCKDB_PUBLISH_PATH ?= warehouse/retail.duckdb

.PHONY: setup run test lint score sample clean export export-hyper bench dashboard docs chromium java java-check spark \
	debian-packages \
	segmentation-seed

setup: $(VENV)/.installed $(DUCKDB_CLIENT_VENVS:%=%/.installed)

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Small separate environments, one per DuckDB client version BI drivers embed (1.1, the 1.4
# LTS, 1.5): the tests open the published warehouse with each to prove old clients read it.
.venv-duckdb%/.installed: requirements-duckdb%.txt
	test -x .venv-duckdb$*/bin/python || $(PYTHON) -m venv .venv-duckdb$*
	.venv-duckdb$*/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

## make run: build everything on the configured input (default: the embedded sample)
run: setup
	$(BIN)/dbt build
	$(BIN)/python -m retail_segmentation.warehouse_summary "$(DUCKDB_PUBLISH_PATH)"
	$(BIN)/python -m retail_segmentation.dashboard "$(DUCKDB_PUBLISH_PATH)" $(DASHBOARD)

## make dashboard: dashboards/index.html from the published warehouse (one file, opens offline)
DASHBOARD ?= dashboards/index.html
dashboard: setup
	$(BIN)/python -m retail_segmentation.dashboard "$(DUCKDB_PUBLISH_PATH)" $(DASHBOARD)

## make docs: the dbt docs site as one static file, target/static_index.html (after make run:
## the catalog comes from the built warehouse)
docs: setup
	$(BIN)/dbt docs generate --static
	@echo "docs site: $(CURDIR)/target/static_index.html (open it in a browser, no network needed)"

# Debian's Chromium and its driver, for the browser tests: installed when missing
chromium:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; else \
		echo "installing Debian's chromium and chromium-driver (the browser tests render the dashboard and the docs site)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# Debian's OpenJDK 17, for the Spark build (make spark; Spark 3.5 runs on Java 8, 11 or 17):
# installed when missing
java:
	@if command -v java >/dev/null; then :; else \
		echo "installing Debian's openjdk-17-jdk-headless (make spark runs a local Spark session)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null; \
	fi

# The CDNOW sample of Fader, Hardie & Lee (2005) as the lifetimes package ships it: the CLV
# truth test (tests/pytest/test_clv.py) reads its data files. Only the files are unpacked; the
# package is never installed or imported. Pinned by version and checksum.
LIFETIMES_WHEEL := data/external/Lifetimes-0.11.3-py3-none-any.whl
LIFETIMES_SHA256 := 261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8
LIFETIMES_DATA := data/external/lifetimes-0.11.3/.unpacked

## make test: the whole suite: lint, the project's documentation and test scores, then pytest
## (which drives dbt end to end on fixtures and the sample) on TEST_WORKERS pytest-xdist workers
## (0: one process)
TEST_WORKERS ?= 2
# The Python environments (setup's, Spark's, Hyper's) install side by side (pip waits on files
# much of the time), beside Debian's packages, which install one after the other (apt-get holds
# one lock).
test:
	$(MAKE) --no-print-directory -j 6 setup $(SPARK_VENV)/.installed $(HYPER_VENV)/.installed debian-packages
	$(MAKE) --no-print-directory lint score $(LIFETIMES_DATA)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15

debian-packages:
	@$(MAKE) --no-print-directory chromium
	@$(MAKE) --no-print-directory java

$(LIFETIMES_DATA): $(VENV)/.installed
	$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps --dest data/external lifetimes==0.11.3
	echo "$(LIFETIMES_SHA256)  $(LIFETIMES_WHEEL)" | sha256sum --check --quiet
	$(BIN)/python -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); \
		z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith('lifetimes/datasets/')])" \
		$(LIFETIMES_WHEEL) data/external/lifetimes-0.11.3
	touch $@

# lint and score build into their own files under target/, never into the warehouse
LINT_ENV := DUCKDB_PATH=target/lint/retail.duckdb DUCKDB_PUBLISH_PATH=target/lint/published.duckdb \
	DUCKDB_TEMP_DIRECTORY=target/lint/tmp DBT_TARGET_PATH=target/lint/dbt
SCORE_ENV := DUCKDB_PATH=target/score/retail.duckdb DUCKDB_PUBLISH_PATH=target/score/published.duckdb \
	DUCKDB_TEMP_DIRECTORY=target/score/tmp DBT_TARGET_PATH=target/score/dbt

## make lint: ruff on the Python, sqlfluff (dbt templater, .sqlfluff) on the models and singular tests,
## one sqlfluff process per core (--processes 0): the dbt templater compiles the project once and the
## processes share the files out
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(LINT_ENV) $(BIN)/sqlfluff lint --processes 0 models $(wildcard tests/*.sql)

## make score: dbt-score (at least 9.5, pyproject.toml) and dbt-coverage (100% of models and columns
## documented) on a build of the sample
score: setup
	$(SCORE_ENV) $(BIN)/dbt build --quiet
	$(SCORE_ENV) $(BIN)/dbt docs generate --quiet
	$(BIN)/dbt-score lint --manifest target/score/dbt/manifest.json --show failing-items
	$(BIN)/dbt-coverage compute doc --run-artifacts-dir target/score/dbt --cov-report target/score/doc_coverage.json \
		--cov-fail-under 1.0
	$(BIN)/dbt-coverage compute test --run-artifacts-dir target/score/dbt --cov-report target/score/test_coverage.json

## make sample: regenerate the committed sample (deterministic: same bytes every time)
sample: setup
	$(BIN)/python -m retail_segmentation.generator --lines 50000 --seed 42 \
		--out data/sample/sales_data.csv --customers-out data/sample/customers.csv \
		--experiments-out data/sample/experiments.csv

clean:
	rm -rf target logs $(VENV) $(DUCKDB_CLIENT_VENVS) $(HYPER_VENV) $(SPARK_VENV)

## make export: every public mart as Parquet in exports/ (BI tools read them without a lock on the DuckDB file)
EXPORT_DIR ?= exports
export: setup
	mkdir -p $(EXPORT_DIR)
	$(BIN)/dbt run-operation export_public_marts --args '{directory: "$(EXPORT_DIR)"}'

## make export-hyper: every public mart of the published warehouse in one Tableau extract,
## exports/retail.hyper (installs the optional Hyper extra into .venv-hyper first)
$(HYPER_VENV)/.installed: requirements-hyper.txt
	test -x $(HYPER_VENV)/bin/python || $(PYTHON) -m venv $(HYPER_VENV)
	$(HYPER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-hyper.txt
	touch $@

export-hyper: setup $(HYPER_VENV)/.installed
	$(HYPER_VENV)/bin/python -m retail_segmentation.hyper_export "$(DUCKDB_PUBLISH_PATH)" $(EXPORT_DIR)/retail.hyper

## make bench: dbt build vs pandas vs the floor at 1M and 10M lines (SIZES="1000000 10000000 100000000")
SIZES ?= 1000000 10000000
bench: setup
	$(BIN)/python bench/run_bench.py --sizes $(SIZES)

## make spark: the same dbt build on Apache Spark, a local session in this process (dbt-spark's
## session method; .venv-spark, Java 17), into warehouse/spark/ (README "Running on Spark").
## DBT_VARS (YAML, e.g. DBT_VARS='{raw_sales_path: data/x.csv}') is passed as --vars.
SPARK_ENV := SPARK_LOCAL_IP=127.0.0.1 DBT_TARGET_PATH=target/spark DBT_LOG_PATH=logs/spark
$(SPARK_VENV)/.installed: requirements-spark.txt
	test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	touch $@

# checked first, before anything is installed
java-check:
	@command -v java >/dev/null || { echo "make spark needs Java (8, 11 or 17) for Spark: run make java, or sudo apt-get install openjdk-17-jdk-headless"; exit 1; }

spark: java-check $(SPARK_VENV)/.installed
	$(SPARK_ENV) $(SPARK_VENV)/bin/dbt build --target spark $(if $(DBT_VARS),--vars '$(DBT_VARS)')

## make segmentation-seed: the segmentation fit of the built warehouse (DUCKDB_PATH) as the seed
## Spark scores customers from (SEED=segment_model_parameters_sample; var segmentation_parameters_seed)
SEED ?= segment_model_parameters_sample
segmentation-seed: setup
	$(BIN)/python -m retail_segmentation.parameter_seed "$(DUCKDB_PATH)" seeds/$(SEED).csv
