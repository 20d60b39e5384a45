# Two commands do everything on a fresh machine (only Python 3.11+ and make needed):
#   make run    install, migrate, load the seed corpus, create demo users, serve on :8000
#   make test   install if needed, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Development server: embedded PostgreSQL (unless DATABASE_URL is set) and DEBUG on.
DEV := DEBUG=1

.PHONY: install run serve migrate seed test check lock clean backup restore bench bench-reliability bench-matchers

$(INSTALLED): requirements.lock requirements-ftm.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found %s); set PYTHON=..." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@# Optional: PyICU (for followthemoney) needs a C++ compiler and the ICU headers.
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -r requirements-ftm.lock \
		|| echo "NOTE: followthemoney could not be installed (PyICU needs g++, pkg-config and libicu-dev);" \
			"the FollowTheMoney export's validation test will be skipped."
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

# Slow readers hogging exports, a worker killed and PostgreSQL restarted under load, this
# code beside main's (needs wrk); writes bench/results/reliability.json. See README, "Load and faults".
bench-reliability: install
	cd bench && ../$(BIN)/python reliability.py $(BENCH_ARGS)

# Our matcher beside nomenklatura's logic-v2 on the labelled name sets, in one process.
# nomenklatura lives in var/bench-venv only (bench/requirements-reference.txt), never in
# .venv; the product's requirements go in too, so both matchers run side by side.
BENCH_VENV := var/bench-venv
$(BENCH_VENV)/.installed: requirements.lock requirements-ftm.lock bench/requirements-reference.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock \
		-r requirements-ftm.lock -r bench/requirements-reference.txt
	@touch $@

bench-matchers: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/matchers.py $(BENCH_ARGS)

# What CI checks besides the tests: migrations complete, Django's checks, the apps'
# layers (import-linter contract in pyproject.toml), lint and formatting.
check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Backups of the configured database (DATABASE_URL, else the embedded one): pg_dump's
# custom format, under var/backups/ (OUT=path to choose). Restore into an empty database:
#   make restore FILE=var/backups/<time>.dump [TARGET=postgres://.../newdb] [FORCE=1]
# TARGET unset: the configured database. A database that has tables is refused unless FORCE=1.
backup: install
	$(BIN)/python manage.py backup_database $(if $(OUT),--output "$(OUT)")

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/<time>.dump [TARGET=postgres://user:pw@host:5432/newdb] [FORCE=1]" >&2; exit 2; }
	$(BIN)/python manage.py restore_database "$(FILE)" $(if $(TARGET),--database-url "$(TARGET)") $(if $(FORCE),--force)

# Re-pin after changing pyproject.toml's dependencies: resolved in a venv of their own, so
# what else .venv holds (followthemoney and PyICU: requirements-ftm.lock, by hand) stays out.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(VENV)-lock/bin/python -m pip freeze --exclude-editable | grep -v '^sanctions-db' > requirements.lock
	rm -rf $(VENV)-lock

clean:
	rm -rf $(VENV) $(VENV)-lock var .pytest_cache
