# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5434/postgres

.PHONY: run test test-fast lint test-sqlite test-postgres translations messages browser html-checker charts postgres screenshots

# The dependencies, then the project itself, editable: its entry points add `flask seed`, `demo` and `journeys`.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | tail -n 2

# After changing user-facing text: refresh translations/zh from the sources, then translate the new entries.
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k N_ -k Nn_:1,2 -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot -d translations

browser:
	bash .ci/install-chromium

# The Nu HTML checker (vnu.jar, pinned in tools/vnu/) the browser crawl checks every page with; needs Java 17+.
html-checker:
	bash .ci/install-html-checker

# Apache ECharts (pinned in tools/echarts/) copied to static/vendor/, where the supervisor's cockpit loads it from.
charts:
	bash .ci/install-echarts

# Phone-width PNGs of the key pages in docs/screenshots/, from a throwaway seeded database.
screenshots: $(STAMP) translations browser
	$(BIN)/python -m tools.screenshots

# The schema from migrations/, then a few hundred seeded cases the first time (a living city to click through); later runs keep what is there.
# The worker runs beside the server (outbox, SLA sweep, metrics, seal) and stops with it.
run: $(STAMP) translations charts
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed --applications 300 --seed 1 --if-empty
	$(BIN)/flask --app app demo --host $(HOST) --port $(PORT)
	$(BIN)/flask --app app worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

# The whole suite, on SQLite and then on a real PostgreSQL server.
test: lint test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# While working: the unit and service layers on SQLite, no browser, no PostgreSQL server (under a minute).
test-fast: $(STAMP) translations
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -n 2 -q tests/unit tests/service

test-sqlite: $(STAMP) translations browser html-checker charts
	$(BIN)/python -m pytest -n 2 -q

# All but the Chromium tests, which the SQLite run has made: the pages' queries run on PostgreSQL through the
# HTTP tests, and the browser tests again would add three minutes to a CI run near its 30.
test-postgres: $(STAMP) translations browser charts postgres
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python -m pytest -n 2 -q -m "not browser"

postgres:
	bash .ci/start-postgres
