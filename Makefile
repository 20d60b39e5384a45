# Two commands do everything on a fresh machine (only Python 3.11+ and make needed):
#   make run    install, migrate, load the seed corpus, create demo users, serve on :8000
#   make test   install if needed, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Development server: embedded PostgreSQL (unless DATABASE_URL is set) and DEBUG on.
DEV := DEBUG=1

.PHONY: install run serve migrate seed test check lock clean bench

$(INSTALLED): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found %s); set PYTHON=..." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(INSTALLED)

migrate: install
	$(DEV) $(BIN)/python manage.py migrate --no-input

seed: migrate
	$(DEV) $(BIN)/python manage.py load_seed_corpus

run: seed
	$(DEV) $(BIN)/python manage.py create_demo_users
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks, not tests (make test never runs them): a fresh database on its own embedded
# PostgreSQL under var/bench, N entities published through review, gunicorn on loopback;
# prints a table and writes bench/results/<date>-<N>.json. BENCH_ENTITIES=1000000 for the full run.
BENCH_ENTITIES ?= 100000
bench: install
	$(BIN)/python bench/run.py --entities $(BENCH_ENTITIES)

# What CI checks besides the tests.
check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

# Re-pin after changing pyproject.toml's dependencies.
lock: install
	$(BIN)/python -m pip install --quiet -e '.[test]' && $(BIN)/python -m pip uninstall -y -q sanctions-db
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^sanctions-db' > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache
