# Caseload: two commands on a fresh machine.
#   make run   installs, migrates, seeds the demo data when the database is empty, and serves the app.
#   make test  installs what the tests need (Debian's chromium included) and runs the whole suite,
#              on SQLite and, when a PostgreSQL server is reachable, on PostgreSQL too.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := core
# PostgreSQL for the second test run (a database of its own is created and dropped per run).
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint install install-test chromium migrate lock clean bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs come from the pinned, hashed locks in requirements/ (refresh them with `make lock`);
# the project itself is installed on top without resolving anything again.
$(VENV)/.installed: requirements/run.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: requirements/test.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

# Re-pin every dependency (with hashes) from pyproject.toml's ranges: run after changing them, commit the locks.
LOCK_FLAGS := --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras --allow-unsafe
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade -o requirements/run.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --upgrade --extra test -o requirements/test.lock pyproject.toml

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/flask db upgrade heads --directory core/migrations

run: migrate
	@$(BIN)/flask demo --if-empty
	@echo "Caseload on http://127.0.0.1:$(PORT)  sign in as admin@demo.test / demo-password (other logins in README.md)"
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

# The house rules: ruff (pyproject.toml [tool.ruff]) and the import contracts ([tool.importlinter]).
lint: install-test
	$(BIN)/ruff check core plugins tests scripts
	$(BIN)/lint-imports

test: install-test chromium lint
	bash scripts/test-all.sh

# Page speed against the stack's ceiling (README, "Page speed"): BENCH_ARGS="--database-url postgresql://… --load"
bench: install-test
	$(BIN)/python scripts/bench_pages.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance
