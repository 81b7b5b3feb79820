# EnvoyCRM — the two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app envoycrm:create_dev_app

.PHONY: run test lint format typecheck e2e translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install whenever the project's metadata changes.
$(VENV)/.installed-dev: pyproject.toml hatch_build.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

translations: $(VENV)/.installed-dev
	$(FLASK) translate compile

## Run the app on its embedded default: SQLite, demo data, mail caught locally.
run: translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@# The scheduler runs once, beside the server (never under its reloader),
	@# and stops with it.
	$(FLASK) scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000 --debug

## Run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL is set).
test: translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(FLASK) translate check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Rewrite the code in the project's format (ruff), fixing what ruff can fix.
format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Type-check the application (settings in pyproject.toml, [tool.mypy]).
typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

## Only the browser tests (tests/e2e), with the system Chromium.
e2e: translations
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache
