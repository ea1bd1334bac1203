# The two commands of the README: `make run` and `make test`. Everything else is set-up they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Where `make run` serves: `PORT=8100 make run`. The sandbox gateway's notices follow the port
# (`sertakan serve` sets the public URL from it unless SERTAKAN_PUBLIC_URL is set).
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint unit install lock clean demo

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Need $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/sertakan db upgrade
	$(BIN)/sertakan demo load --if-empty
	$(BIN)/sertakan nation demo --if-empty
	$(BIN)/sertakan demo logins
	$(BIN)/sertakan serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy src/sertakan
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

# Regenerate the lockfile after changing pyproject.toml (needs `uv`, from PyPI).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
