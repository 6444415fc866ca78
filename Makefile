# The two commands of the README, and what they stand on.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PORT ?= 5000

.PHONY: run serve test test-sqlite test-postgres cluster-test api-lint lint install translations messages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 of nieuwer is nodig.") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogs are build output, not committed.
translations: $(STAMP)
	@$(BIN)/pybabel compile --statistics -d voorelkaar/translations -D messages 2>&1 | grep -v '^$$' || true

# Extract new texts and merge them into the English catalog.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o voorelkaar/translations/messages.pot .
	$(BIN)/pybabel update -i voorelkaar/translations/messages.pot -d voorelkaar/translations -D messages --no-fuzzy-matching

run: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-demo
	@echo "De site draait op http://127.0.0.1:$(PORT) (stoppen: Ctrl-C)."
	@trap 'kill 0' EXIT; \
	  $(BIN)/flask --app wsgi scheduler & \
	  $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

# The production server: migrations first, so the new code never serves an old schema.
# Settings from the environment (DATABASE_URL, SECRET_KEY, ...; gunicorn.conf.py reads
# GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT). Run the scheduler
# beside it: flask --app wsgi scheduler.
serve: install
	$(BIN)/flask --app wsgi db upgrade
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The whole suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.
# pytest's exit code 5 ("no tests collected") is not a failure here.
test: install test-sqlite test-postgres

test-sqlite: install
	VOORELKAAR_TEST_BACKEND=sqlite $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

test-postgres: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  VOORELKAAR_TEST_BACKEND=postgres $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]; \
	else echo "TEST_DATABASE_URL is niet gezet: de suite draaide alleen op SQLite."; fi

# HAProxy before two gunicorn hosts, two schedulers, PostgreSQL and Redis, in network
# namespaces, under load while a web host, the database and a scheduler fail (as root).
cluster-test: install
	@command -v haproxy >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }
	$(BIN)/python -m pytest tests/cluster -s -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The NLGov API Design Rules linter (Spectral, from the npm registry) on the served
# OpenAPI document: any error or warning fails.
SPECTRAL_VERSION := 6.16.3
SPECTRAL := .cache/spectral/node_modules/.bin/spectral
$(SPECTRAL):
	npm install --silent --no-audit --no-fund --prefix .cache/spectral @stoplight/spectral-cli@$(SPECTRAL_VERSION)

api-lint: install $(SPECTRAL)
	$(BIN)/python scripts/openapi_json.py build/openapi.json
	$(SPECTRAL) lint --fail-severity=warn -r .ci/adr-linter.yaml build/openapi.json
