# phusong — the README's quick start is `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= maps

.PHONY: setup demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

## setup: create the virtual environment and install phusong with its test tools
setup: $(STAMP)

## demo: run the whole job on the embedded Lào Cai scenario; outputs go to maps/
demo: setup
	$(BIN)/phusong demo --out $(OUT) --overwrite

## test: install what the tests need (Python and Debian packages), then run every test
test: setup
	bash scripts/install-system-deps chromium chromium-driver gdal-bin python3-gdal
	$(BIN)/python -m pytest

## bench: the benchmarks, each printed as a ratio against a named peer run alongside
bench: setup
	bash scripts/install-system-deps gdal-bin splat chromium chromium-driver
	$(BIN)/python -m benchmarks

## lint: ruff and mypy (also enforced by tests/test_style.py)
lint: setup
	$(BIN)/ruff check coverage tests benchmarks scripts
	$(BIN)/ruff format --check coverage tests benchmarks scripts
	$(BIN)/mypy coverage

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache test-artifacts build dist *.egg-info
