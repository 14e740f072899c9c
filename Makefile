# docklab: `make run` serves the app, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test lint bench clean

install: $(STAMP) $(NODE_STAMP)
	@$(BIN)/python -m docklab.i18n >/dev/null

# Re-installs only when the declared dependencies change.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "docklab needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,postgres]'
	@touch $(STAMP)

# The browser terminal's xterm.js, exactly as package-lock.json says (served from node_modules).
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the browser terminal stays unavailable (Debian: apt-get install npm)"; fi

run: install
	@bash scripts/ensure-docker.sh
	@bash scripts/ensure-sandboxes.sh
	$(BIN)/flask --app app setup
	@bash scripts/ensure-registry.sh
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

# Everything on SQLite, then the database tests again on a private PostgreSQL server. Each pass runs
# on TEST_WORKERS pytest-xdist workers (whole modules to a worker, so a module's fixtures are made
# once), then the tests marked `serial` alone: a tight clock or machine-wide load (tests/conftest.py).
# `make test TEST_WORKERS=0` runs every pass in this one process.
TEST_WORKERS ?= 2
PARALLEL := -n $(TEST_WORKERS) --dist loadscope
DB_TESTS := DOCKLAB_TEST_DATABASE=postgresql $(BIN)/pytest -q -p no:cacheprovider tests/web

test: install
	@bash scripts/test-deps.sh
	@bash scripts/ensure-sandboxes.sh
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(DB_TESTS) $(PARALLEL) -m "not docker and not browser and not serial"
	$(DB_TESTS) -m "not docker and not browser and serial"
	$(BIN)/pytest $(PARALLEL) -m "not serial"
	$(BIN)/pytest -m serial

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/grade_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .test-artifacts
