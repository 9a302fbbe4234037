# The two commands: `make run` serves the API (embedded: SQLite + in-process queue, unless
# DATABASE_URL / REDIS_URL are set) and `make test` runs the whole suite.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test fuzz bench openapi worker migrate clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(INSTALLED)
	$(BIN)/innovationsweek serve --port $(PORT)

test: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

fuzz: $(INSTALLED)
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),200) $(BIN)/python -m pytest tests/api/test_fuzzing.py

bench: $(INSTALLED)
	$(BIN)/python bench/programme.py

openapi: $(INSTALLED)
	$(BIN)/innovationsweek openapi --output openapi/openapi.json

migrate: $(INSTALLED)
	$(BIN)/innovationsweek db upgrade

worker: $(INSTALLED)
	$(BIN)/innovationsweek worker

clean:
	rm -rf $(VENV) instance .pytest_cache
