# backplan: `make run` opens the app, `make test` runs lint and the whole suite.
# Both create .venv and install the project into it when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/backplan

lint: $(STAMP)
	$(BIN)/ruff check src tests docs benchmarks
	$(BIN)/ruff format --check src tests docs benchmarks

# Tests run in parallel, one worker per core (pytest-xdist); each test has its own data and
# config dirs (tests/conftest.py). PYTEST_ARGS="-n 0" runs them in one process,
# PYTEST_ARGS='-m "not slow"' skips the soak and fuzz runs for a quick loop.
test: lint
	$(BIN)/python -m pytest -q -n auto --dist loadgroup $(PYTEST_ARGS)

# make bench [BENCH="startup typing"] [BENCH_ARGS="--rounds 20"]; see benchmarks/README.md
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
