# Two commands do all set-up: `make run` (app + demo data) and `make test` (whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test lint format bench catalog clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Printed links use the served origin unless MINGCHA_BASE_URL says otherwise (e.g. a LAN address for phones).
export MINGCHA_BASE_URL ?= http://$(HOST):$(PORT)

run: install
	$(BIN)/python -m survey_app migrate
	$(BIN)/python -m survey_app seed-demo
	$(BIN)/python -m survey_app serve --host $(HOST) --port $(PORT)

node_modules/.package-lock.json: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent; \
	else echo "npm not found: browser accessibility checks will be skipped (required when CI=true)"; fi

test: install-test node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

format: install-test
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Refresh the gettext catalogs after changing a user-facing string.
catalog: install-test
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o survey_app/locale/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i survey_app/locale/messages.pot -d survey_app/locale --no-fuzzy-matching

bench/.tools/node_modules/.bin/lighthouse:
	mkdir -p bench/.tools && cd bench/.tools && echo '{"name":"mingcha-bench-tools","private":true}' > package.json \
	  && npm install --no-audit --no-fund --silent lighthouse@13.5.0

bench: install-test bench/.tools/node_modules/.bin/lighthouse
	$(BIN)/python bench/page_weight.py --runs 5 --lighthouse
	$(BIN)/python bench/posters.py
	$(BIN)/python bench/grades.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
