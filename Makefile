# docklab: `make run` serves the app, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test lint bench clean

install: $(STAMP)
	@$(BIN)/python -m docklab.i18n >/dev/null

# Re-installs only when the declared dependencies change.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "docklab needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,postgres]'
	@touch $(STAMP)

run: install
	@bash scripts/ensure-docker.sh
	$(BIN)/flask --app app setup
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

# Everything on SQLite, then the database tests again on a private PostgreSQL server.
test: install
	@bash scripts/test-deps.sh
	$(BIN)/ruff check .
	DOCKLAB_TEST_DATABASE=postgresql $(BIN)/pytest -q -p no:cacheprovider tests/web -m "not docker and not browser"
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python benchmarks/grade_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .test-artifacts
