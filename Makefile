# Casefile: `make run` (embedded default, no servers) and `make test` (both stacks).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CASEFILE_CACHE_DIR ?= $(HOME)/.cache/casefile
export PIP_CACHE_DIR ?= $(CASEFILE_CACHE_DIR)/pip

.PHONY: run test lint format system-deps clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

run: $(BIN)/.installed system-deps  ## the API on 127.0.0.1:8000 with its in-process worker
	$(BIN)/casefile serve

test: $(BIN)/.installed system-deps  ## unit, API and contract tests
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
