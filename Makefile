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

.PHONY: run test install install-test chromium migrate clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

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

test: install-test chromium
	bash scripts/test-all.sh

clean:
	rm -rf $(VENV) instance
