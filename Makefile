# backplan: `make run` opens the app, `make test` runs lint and the whole suite.
# Both create .venv and install the project into it when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-thorough test-latest lint compile-tests bench clean

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
	$(BIN)/lint-imports
	$(BIN)/mypy

# Tests run in parallel (pytest-xdist), three workers per core (`-n auto`, tests/conftest.py:
# a Pilot test sleeps after every key while Textual waits for the app to go idle, others wait
# on their processes), long tests handed out first, the waiting ones spread among the short
# ones; each test has its own data and config dirs.  Lint runs beside the suite, its output
# kept in .venv/lint.log and printed after the suite's; either failing fails `make test`.
# Python writes its bytecode caches here even where PYTHONDONTWRITEBYTECODE is set: each
# worker and each process a test starts would compile the sources again.  compile-tests
# collects the suite once before the workers start, so they find the tests compiled (pytest's
# rewritten asserts: 6 s of CPU a worker).  PYTEST_ARGS="-n 0" runs them in one process,
# PYTEST_ARGS='-m "not slow"' skips the soak and fuzz runs for a quick loop.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest
LINT_LOG := $(VENV)/lint.log

define suite_beside_lint
	@$(MAKE) --no-print-directory lint >$(LINT_LOG) 2>&1 & lint=$$!; \
	$(MAKE) --no-print-directory compile-tests; \
	$(1) $(PYTEST) -q -n auto --dist loadgroup $(PYTEST_ARGS); tests=$$?; \
	wait $$lint; linted=$$?; \
	echo "--- lint ---"; cat $(LINT_LOG); \
	if [ $$linted -ne 0 ]; then echo "lint failed"; fi; \
	[ $$tests -eq 0 ] && [ $$linted -eq 0 ]
endef

test: $(STAMP)
	$(call suite_beside_lint,)

compile-tests: $(STAMP)
	@-$(PYTEST) -qq --collect-only -p no:cacheprovider >/dev/null 2>&1

# make test-thorough: the same suite with the property and fuzz tests at their full counts
# (tests/helpers.py examples(); `make test` draws fewer, new ones at every run).
test-thorough: $(STAMP)
	$(call suite_beside_lint,BACKPLAN_THOROUGH=1)

# make test-latest [TEST_ARGS="tests/unit -x"]: the suite on the newest Textual on PyPI, in a
# second venv (.venv-latest), to see early what a Textual upgrade breaks.  The project pins
# textual==8.2.8, so it is installed with its test extras first and Textual is then upgraded
# past the pin (pip warns about the pin's conflict: expected).  What to expect on a newer
# Textual: tests/unit/test_textual_compat.py fails, naming the version, if a private name
# that tui/compat.py uses has moved (fix compat.py only; tests/unit/test_public_textual.py
# keeps every other module on the public API).  The snapshot tests (tests/snapshots) run
# too, and a new Textual may draw some cells differently (colours, borders, scrollbars,
# footer keys): SVG mismatches there are expected and are read in snapshot_report.html;
# never run --snapshot-update from this venv (the SVGs belong to the pinned Textual).
# On the day this was written 8.2.8 was the newest release, so both venvs pass the same.
LATEST := .venv-latest
TEST_ARGS ?=

test-latest:
	test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet -e '.[test]'
	$(LATEST)/bin/python -m pip install --quiet --upgrade textual
	$(LATEST)/bin/python -c "import textual; print('textual', textual.__version__)"
	$(LATEST)/bin/python -m pytest -q -p no:cacheprovider $(TEST_ARGS)

# make bench [BENCH="startup typing"] [BENCH_ARGS="--rounds 20"]; see benchmarks/README.md
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(LATEST) build dist .pytest_cache .ruff_cache
