# DMS Hub — everything a developer or CI runs. `make help` lists the targets.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv demo test test-sqlite test-pg lint format bench bench-quick clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)  ## Create .venv and install the project with test extras

demo: $(STAMP)  ## Load the sample dealer network into the embedded store and show it
	$(BIN)/dmshub demo

test: $(STAMP)  ## Run the whole suite on SQLite and PostgreSQL
	$(BIN)/python -m pytest

lint: $(STAMP)  ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)  ## All benchmarks (writes bench/results.md)
	$(BIN)/python -m bench

bench-quick: $(STAMP)  ## Benchmarks at small sizes (about a minute)
	$(BIN)/python -m bench --quick

clean:  ## Remove the virtual environment and the embedded store
	rm -rf $(VENV) .dmshub
