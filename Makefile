# quantrail developer commands. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE_STAMP := $(VENV)/.installed-base
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: help demo test lint bench clean

help:  #-- list the targets
	@grep -E '^[a-z]+:.*#--' Makefile | sed -E 's/:.*#-- /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(BASE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(BASE_STAMP)

demo: $(BASE_STAMP)  #-- create .venv, install, run a real backtest on bundled data
	$(BIN)/quantrail backtest examples/sma_cross_spy.yaml --out runs/demo --no-progress
	$(BIN)/quantrail audit runs/demo --trade 1

test: $(DEV_STAMP)  #-- install the dev extras and run the test suite
	$(BIN)/pytest -q

lint: $(DEV_STAMP)  #-- ruff format check, ruff lint, mypy, import-linter layer contracts
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(DEV_STAMP)  #-- engine, import, sweep and ingestion benchmarks (docs/benchmarks.md)
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_sweep.py
	$(BIN)/python bench/bench_latency.py
	$(BIN)/python bench/bench_ingest.py

clean:  #-- remove the virtual environment and run outputs
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
