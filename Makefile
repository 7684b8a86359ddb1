# The README's two commands: `make run` and `make test`. Nothing but Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Pinned versions, with hashes, of pyproject.toml's dependencies and its `dev` extra.
LOCK := requirements.lock
UV_VERSION := 0.13.9
UV := $(BIN)/uv
UV_STAMP := $(VENV)/.uv-$(UV_VERSION)

.PHONY: install lock run test lint format bench clean

install: $(STAMP)

# A venv with uv in it; a new UV_VERSION installs again.
$(UV_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	touch $@

# Exactly what the lock lists, every download hash-checked; runs again when the lock changes.
$(STAMP): $(LOCK) pyproject.toml $(UV_STAMP)
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

# Run after changing pyproject.toml's dependencies; pins that still satisfy it stay.
# `make lock LOCK_ARGS=--upgrade` moves every pin to the newest release allowed.
lock: $(UV_STAMP)
	$(UV) pip compile --quiet pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --python-platform linux \
		--custom-compile-command "make lock" $(LOCK_ARGS) --output-file $(LOCK)

# The web server and a task worker (email, the periodic jobs) side by side: see Procfile.
# `make run RUN_ADDRESS=127.0.0.1:8100` serves on another port.
run: export DEBUG ?= true
run: export PYTHONUNBUFFERED = 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_event_data
	$(BIN)/python manage.py ensure_organiser --address $${RUN_ADDRESS:-127.0.0.1:8000}
	$(BIN)/honcho start -f Procfile

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The one-way dependencies between apps and layers ([tool.importlinter] in pyproject.toml).
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info
