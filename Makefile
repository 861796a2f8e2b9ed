# The two commands that matter: `make dev` (local stack with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install dev test unit lint bench openapi catalog-check clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	touch $(STAMP)

dev: install
	$(PY) -m devtools.dev

test: install
	$(PY) -m pytest

unit: install
	$(PY) -m pytest -m "not emulator"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: install
	$(PY) -m bench

openapi: install
	$(PY) -m shared.api.openapi > docs/openapi.json

catalog-check: install
	$(PY) -m devtools.catalog validate demo/catalog.json

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
