# The two commands of README.md: `make run` and `make test`. Everything else serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
WEB_INSTALLED := web/node_modules/.installed
WEB_BUILT := src/taskmaster/static/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
	web/vite.config.ts web/package-lock.json web/tsconfig.app.json

.DEFAULT_GOAL := run
.PHONY: run test install services lint typecheck pytest web web-check e2e ops-check chromium pgbouncer nginx promtool k8s-tools clean

## Serve TaskMaster on http://127.0.0.1:8000 (SQLite, in-memory store); HOST and PORT change it.
run: install web
	$(BIN)/taskmaster serve

## Every check and every test: Python (PostgreSQL + Redis and SQLite), the web app, Chromium.
test: lint typecheck ops-check pytest web-check e2e

# Exactly what uv.lock names (the project itself editable), and nothing else; `--locked` fails
# when pyproject.toml asks for something the lock does not hold (`uv lock` writes it anew).
# uv comes first from pip, at the lock's own version, then is kept by the lock like the rest.
UV_LOCKED = $(shell sed -n '/^name = "uv"$$/{n;s/^version = "\(.*\)"$$/\1/p;}' uv.lock)
$(INSTALLED): pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_LOCKED)
	$(BIN)/uv sync --locked --extra dev --quiet
	touch $@

install: $(INSTALLED)

$(WEB_INSTALLED): web/package-lock.json
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_BUILT): $(WEB_INSTALLED) $(WEB_SOURCES)
	cd web && npm run build

## Build the web app into the package's static folder (not committed).
web: $(WEB_BUILT)

services:
	bash scripts/ensure-services.sh

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install
	$(BIN)/mypy

# One pytest-xdist worker per core of the 2-core machine, each with databases, Redis prefixes,
# ports and server directories of its own (tests/conftest.py, tests/db); worksteal lets an idle
# worker take queued tests from a busy one. PYTEST_WORKERS=0 runs them all in this process.
PYTEST_WORKERS ?= 2
pytest: install services pgbouncer nginx k8s-tools
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal --cov --cov-report=term

# api:check rebuilds the v2 OpenAPI document from the Python app (hence `install`) and the client
# types from it, and fails when either differs from the committed web/src/api/v2 files.
web-check: install $(WEB_INSTALLED)
	cd web && npm run api:check && npm run lint && npm run typecheck && npm test && npm run build && npm run size

chromium:
	command -v chromium >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The alert rules and the Prometheus configuration of deploy/prometheus: syntax, and the rules'
# unit tests. promtool comes with Debian's prometheus package (its server is not started).
ops-check: promtool
	promtool check config deploy/prometheus/prometheus.yml
	promtool test rules deploy/prometheus/alerts.test.yml

promtool:
	command -v promtool >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus)

# The tests start PgBouncers of their own (tests/db/servers.py); Debian puts it in /usr/sbin.
pgbouncer:
	test -x /usr/sbin/pgbouncer || command -v pgbouncer >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer)

# tests/deploy/test_scaled_out.py balances API processes with Debian's nginx, started by the test
# with a configuration of its own (the package's service is not used).
nginx:
	test -x /usr/sbin/nginx || command -v nginx >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx)

# checkov and kubernetes-validate check deploy/kubernetes offline, in an environment of their own
# pinned by deploy/kubernetes/tools.txt (checkov would hold back packaging and pytest in ours),
# linked beside the project's python, where tests/deploy/test_kubernetes.py looks for them.
K8S_TOOLS := .venv-k8s
$(K8S_TOOLS)/.installed: deploy/kubernetes/tools.txt $(INSTALLED)
	test -x $(K8S_TOOLS)/bin/python || $(BIN)/uv venv --quiet --python $(PYTHON) $(K8S_TOOLS)
	$(BIN)/uv pip install --quiet --python $(K8S_TOOLS)/bin/python -r deploy/kubernetes/tools.txt
	ln -sf $(CURDIR)/$(K8S_TOOLS)/bin/checkov $(CURDIR)/$(K8S_TOOLS)/bin/kubernetes-validate $(BIN)/
	touch $@

k8s-tools: $(K8S_TOOLS)/.installed

e2e: install web chromium
	bash scripts/e2e.sh

clean:
	rm -rf $(VENV) $(K8S_TOOLS) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage web/node_modules \
		src/taskmaster/static
