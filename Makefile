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
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/backplan

lint: $(STAMP)
	$(BIN)/ruff check src tests docs benchmarks
	$(BIN)/ruff format --check src tests docs benchmarks

test: lint
	$(BIN)/python -m pytest -q

# make bench [BENCH="startup typing"] [BENCH_ARGS="--rounds 20"]; see benchmarks/README.md
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
