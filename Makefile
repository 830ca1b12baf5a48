# The two commands of README.md: `make run` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := run
.PHONY: run test install lint typecheck pytest services clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(INSTALLED)

## Serve TaskMaster on http://127.0.0.1:8000 (SQLite, in-memory cache); HOST and PORT change it.
run: install
	$(BIN)/taskmaster serve

## Every check and every test: lint, types, Python on PostgreSQL and SQLite.
test: install lint typecheck pytest

services:
	bash scripts/ensure-services.sh

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install
	$(BIN)/mypy

pytest: install services
	$(BIN)/pytest --cov --cov-report=term

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
