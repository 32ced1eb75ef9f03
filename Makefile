# Everything a new machine needs goes through these targets: they create .venv, install the
# pinned requirements, and run dbt with this repo's profile.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DUCKDB11_VENV := .venv-duckdb11
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# dbt builds into DUCKDB_PATH; BI tools open DUCKDB_PUBLISH_PATH, replaced only after a fully
# successful build (README "Connecting Tableau and Power BI").
export DUCKDB_PATH ?= warehouse/build/retail.duckdb
export DUCKDB_PUBLISH_PATH ?= warehouse/retail.duckdb

.PHONY: setup run test sample clean export bench

setup: $(VENV)/.installed $(DUCKDB11_VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# A separate, small environment with the DuckDB 1.1 client BI drivers embed: the tests open
# the warehouse with it to prove the file stays readable by old clients.
$(DUCKDB11_VENV)/.installed: requirements-duckdb11.txt
	test -x $(DUCKDB11_VENV)/bin/python || $(PYTHON) -m venv $(DUCKDB11_VENV)
	$(DUCKDB11_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-duckdb11.txt
	touch $@

## make run: build everything on the configured input (default: the embedded sample)
run: setup
	$(BIN)/dbt build
	$(BIN)/python -m retail_segmentation.warehouse_summary "$(DUCKDB_PUBLISH_PATH)"

## make test: the whole suite (pytest drives dbt end to end on fixtures and the sample)
test: setup
	$(BIN)/python -m pytest

## make sample: regenerate the committed sample (deterministic: same bytes every time)
sample: setup
	$(BIN)/python -m retail_segmentation.generator --lines 50000 --seed 42 \
		--out data/sample/sales_data.csv --customers-out data/sample/customers.csv

clean:
	rm -rf target logs $(VENV) $(DUCKDB11_VENV)

## make export: every public mart as Parquet in exports/ (BI tools read them without a lock on the DuckDB file)
EXPORT_DIR ?= exports
export: setup
	mkdir -p $(EXPORT_DIR)
	$(BIN)/dbt run-operation export_public_marts --args '{directory: "$(EXPORT_DIR)"}'

## make bench: dbt build vs pandas vs the floor at 1M and 10M lines (SIZES="1000000 10000000 100000000")
SIZES ?= 1000000 10000000
bench: setup
	$(BIN)/python bench/run_bench.py --sizes $(SIZES)
