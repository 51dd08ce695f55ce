# Casefile: `make run` (embedded default, no servers) and `make test` (both stacks).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CASEFILE_CACHE_DIR ?= $(HOME)/.cache/casefile
export PIP_CACHE_DIR ?= $(CASEFILE_CACHE_DIR)/pip

.PHONY: run test lint format system-deps services services-down stack stack-down bench soak clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

system-deps:
	bash scripts/install-system-deps.sh

run: $(BIN)/.installed system-deps  ## the API on 127.0.0.1:8000 with its in-process worker
	$(BIN)/casefile migrate
	$(BIN)/casefile serve

test: $(BIN)/.installed system-deps services  ## unit, API and the contract suite on both stacks
	$(BIN)/pytest

services:  ## PostgreSQL, Elasticsearch, MinIO and Redis on loopback (installed and cached on first use)
	bash scripts/services/up.sh >/dev/null

services-down:
	bash scripts/services/down.sh

stack: $(BIN)/.installed system-deps  ## the services, one Celery worker and the API, as docker-compose.yml wires them
	bash scripts/stack.sh up

stack-down:  ## stop everything `make stack` started
	bash scripts/stack.sh down

bench: $(BIN)/.installed system-deps services  ## the benchmark: a table, and bench/results/latest.json
	bash bench/install-peers.sh
	$(BIN)/python -m bench.run

soak: $(BIN)/.installed system-deps services  ## chaos and soak (not in `make test`): bench/results/soak.json; SOAK_ARGS="--minutes 2"
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
