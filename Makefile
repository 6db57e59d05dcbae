# facilitation — build, run and test.
#
#   make run    venv + packages + vendor JS, migrate, demo data, print the URLs, serve
#   make test   same setup + Debian chromium if missing, ruff, pytest
#
# Everything is idempotent: packages are reinstalled only when pyproject.toml changes
# (stamp file in .venv), npm ci runs only when package(-lock).json changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.facilitation-installed
HOST     ?= 127.0.0.1
PORT     ?= 5000
export HOST PORT

FLASK    := $(BIN)/flask --app facilitation
NPM_STAMP := node_modules/.facilitation-installed
VENDOR_DIR := static/vendor
VENDOR   := $(VENDOR_DIR)/socket.io.esm.min.js
SIO_DIST := node_modules/socket.io-client/dist
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: help setup run test lint fmt clean bench bench-page chromium nginx vendor translations

help:
	@echo "make run    set up, migrate, load demo data, print the URLs, start the server on $(HOST):$(PORT)"
	@echo "make test   set up (+ Debian chromium if missing), ruff check + format check, pytest"
	@echo "make lint   ruff check + ruff format --check"
	@echo "make fmt    ruff format + ruff check --fix"
	@echo "make clean  remove .venv, node_modules, static/vendor and caches (instance/ is kept)"
	@echo "make bench  load test: 1 worker (SQLite) and the bare-stack floor at BENCH_SIZES (ratios app/floor),"
	@echo "            gevent, 2 workers + Redis + PostgreSQL + nginx (one source address, share per worker)"
	@echo "            Markdown table in instance/bench/latest.md (BENCH_SIZES=\"200 1000 2000\" BENCH_DURATION=30)"
	@echo "make bench-page  first render of the phone wall on emulated slow 4G + 4x CPU (instance/bench/pagespeed.md)"

# ---------------------------------------------------------------- Python environment
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# ---------------------------------------------------------------- browser vendor files
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR): $(NPM_STAMP)
	mkdir -p $(VENDOR_DIR)
	cp $(SIO_DIST)/socket.io.esm.min.js $(VENDOR_DIR)/
	if [ -f $(SIO_DIST)/socket.io.esm.min.js.map ]; then \
	  cp $(SIO_DIST)/socket.io.esm.min.js.map $(VENDOR_DIR)/; fi
	touch $@

# axe-core for the browser tests' accessibility checks (tests/e2e/test_accessibility.py):
# read by the tests and injected into the page under test; not under static/, never served.
AXE := tests/e2e/vendor/axe.min.js
$(AXE): $(NPM_STAMP)
	mkdir -p $(dir $@)
	cp node_modules/axe-core/axe.min.js $@

vendor: $(VENDOR) $(AXE)

setup: $(STAMP) $(VENDOR) $(AXE)

# Debian's chromium for the Playwright tests (Playwright's own browser download cannot work here).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  sudo=""; if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; fi; \
	  echo "$(CHROMIUM) missing: installing Debian chromium"; \
	  $$sudo apt-get update; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y chromium; \
	fi

# Debian's nginx and redis-server for the two-worker test (tests/realserver/test_scaling.py) and
# `make bench`: it starts its own nginx in front of two workers and its own Redis to restart.
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v redis-server >/dev/null; then \
	  sudo=""; if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; fi; \
	  echo "nginx or redis-server missing: installing Debian nginx-light redis-server"; \
	  $$sudo apt-get update; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y nginx-light redis-server; \
	fi

# ---------------------------------------------------------------- run
run: setup
	$(FLASK) db upgrade heads
	$(FLASK) demo --sample
	@echo
	@echo "Ouvrez ces adresses / open these URLs:"
	$(FLASK) urls
	@echo
	$(BIN)/python wsgi.py

# ---------------------------------------------------------------- checks
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup chromium nginx
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@# With TEST_DATABASE_URL the run above is on PostgreSQL; SQLite is the default database
	@# (and its writes take other paths: upserts, the single writer lock), so the rules and
	@# the protocol run on it too.
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	  echo "--- tests/domain and tests/realtime again on SQLite, the default database"; \
	  env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q tests/domain tests/realtime; \
	fi

# Load test against servers started here (facilitation/ops/loadtest/bench.py); bounded time:
# each run has a timeout. Sizes for a 2-core machine; raise them on a bigger one. Each size
# runs the app, then the floor (facilitation/ops/loadtest/floor.py); BENCH_ARGS=--no-floor
# skips it. A quick check of the whole chain:
#   make bench BENCH_SIZES=50 BENCH_DURATION=5 BENCH_THROUGHPUT=50:300 BENCH_COMPARE=50
BENCH_SIZES    ?= 200 1000 2000
BENCH_DURATION ?= 30
BENCH_THROUGHPUT ?= 1000:3000
BENCH_COMPARE  ?= 1000
BENCH_ARGS     ?=
bench: setup nginx
	$(BIN)/python -m facilitation.ops.loadtest.bench --sizes "$(BENCH_SIZES)" \
	  --duration $(BENCH_DURATION) --throughput $(BENCH_THROUGHPUT) \
	  --compare-size $(BENCH_COMPARE) $(BENCH_ARGS)

# Translations (issue 6): extract the marked strings, merge them into each language's .po,
# compile the .mo (committed, so a fresh clone needs no build step; a test checks they match).
TRANSLATIONS := facilitation/translations
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k tr --no-location --sort-output \
	  -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --width 100 \
	  --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d $(TRANSLATIONS)

# First render of the participant's wall on an emulated slow-4G phone with a 4x slower CPU
# (Chromium DevTools throttling), median of BENCH_PAGE_RUNS; instance/bench/pagespeed.md.
BENCH_PAGE_RUNS ?= 5
bench-page: setup chromium
	$(BIN)/python -m facilitation.ops.loadtest.pagespeed --runs $(BENCH_PAGE_RUNS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR_DIR) .pytest_cache .ruff_cache .hypothesis \
	  build dist *.egg-info test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
