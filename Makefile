# The two commands: `make run` serves the API (embedded: SQLite + in-process queue, unless
# DATABASE_URL / REDIS_URL are set) and `make test` runs the whole suite.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium
# The message catalogues (pages, mails, API errors): .po files are committed, .mo files compiled here.
TRANSLATIONS := innovationsweek/translations
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard innovationsweek/translations/*/LC_MESSAGES/messages.po))
AXE := node_modules/axe-core/axe.min.js

.PHONY: run test faults fuzz bench openapi worker migrate clean chromium catalogues messages

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

catalogues: $(CATALOGUES)

# After adding or changing a text: gathers every message into the .pot and each language's .po,
# then translate the new msgstr in sv, da and en. No line numbers and sorted by message, so that
# a change touches only its own messages.
messages: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

%.mo: %.po $(INSTALLED)
	$(BIN)/pybabel compile -i $< -o $@

# axe-core for the pages' accessibility checks in the browser tests (git-ignored node_modules).
# npm from Debian where it is missing and we may (as Chromium below).
$(AXE):
	@command -v npm >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	-command -v npm >/dev/null && npm install --no-save --no-audit --no-fund axe-core@4

run: $(INSTALLED) catalogues
	$(BIN)/innovationsweek serve --port $(PORT)

# lint-imports first: the layers and the ban on import circles (pyproject.toml, README "Layers").
test: $(INSTALLED) catalogues chromium $(AXE)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The docs page's browser test runs Debian's Chromium through playwright. Installed here when
# missing and we may (root with apt-get, as in CI); otherwise that test is skipped locally.
chromium:
	@test -x $(CHROMIUM) || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The fault tests (tests/faults/, also part of `make test`), writing their figures into RELIABILITY.md.
faults: $(INSTALLED) catalogues
	IW_RECORD_FAULTS=1 $(BIN)/python -m pytest tests/faults $(PYTEST_ARGS)

# Schemathesis as every role, all checks and phases, with 100 examples per operation and phase
# (FUZZ_EXAMPLES to change) and the coverage phase as every role, with every undeclared method:
# the suite runs 5 examples and covers each operation as one role, in a few minutes.
fuzz: $(INSTALLED) catalogues
	FUZZ_LONG=1 $(BIN)/python -m pytest -s tests/api/test_fuzzing.py

# Issue 16's measurement: gunicorn + wrk against a scratch PostgreSQL per scale (BENCH_SCALES,
# default "1000 10000 100000"), beside a bare Flask ceiling, then the job throughput of two
# workers; wrk from Debian when missing and we may, else Locust from PyPI (the bench extra).
bench: $(INSTALLED) catalogues
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@command -v wrk >/dev/null || test -x $(BIN)/locust || $(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py

openapi: $(INSTALLED)
	$(BIN)/innovationsweek openapi --output openapi/openapi.json

migrate: $(INSTALLED)
	$(BIN)/innovationsweek db upgrade

worker: $(INSTALLED)
	$(BIN)/innovationsweek worker

clean:
	rm -rf $(VENV) instance .pytest_cache .import_linter_cache node_modules test-artifacts $(CATALOGUES)
