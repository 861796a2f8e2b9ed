# The two commands that matter: `make dev` (local stack with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SDK := tests/sdk
SDK_STAMP := $(SDK)/node_modules/.installed

.PHONY: install dev test unit lint bench openapi firebase-json catalog-check clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	touch $(STAMP)

# The npm gigya SDK the tests drive (tests/sdk), reinstalled when its lock file changes.
$(SDK_STAMP): $(SDK)/package.json $(SDK)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make test needs Node.js 18+ and npm: tests/sdk drives the npm gigya SDK" >&2; exit 1; }
	npm ci --prefix $(SDK) --no-audit --no-fund
	touch $(SDK_STAMP)

dev: install
	$(PY) -m devtools.dev

test: install $(SDK_STAMP)
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

# firebase.json's Hosting rewrites, from the table of functions (shared/endpoints.py).
firebase-json: install
	$(PY) -m devtools.server --firebase-json

catalog-check: install
	$(PY) -m devtools.catalog validate demo/catalog.json

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache

.PHONY: chaos audit

# The local pipeline under injected failures (10,000 transactions), then the audit; several
# minutes (docs/OPERATIONS.md). `make test` runs a small one.
chaos: install
	$(PY) -m devtools.chaos

# Reconcile the stored state with the ledger: the emulator (source .dev/env.sh) or
# GOOGLE_CLOUD_PROJECT with application default credentials (docs/OPERATIONS.md).
audit: install
	$(PY) -m devtools.audit
