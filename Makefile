# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=1
FIXTURES := $(wildcard fixtures/*.json)

.PHONY: run test lint migrate fixtures messages demo bench backup clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: apt-get install -y python3.11 python3.11-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

messages: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv -v0

migrate: $(STAMP) messages
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input

fixtures: migrate
	$(DEV_ENV) $(BIN)/python manage.py loaddata $(FIXTURES)

run: fixtures
	@echo "Trust Repair on http://127.0.0.1:8000 (SQLite, DEBUG on)"
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# A demo account with a few weeks of entries in English and Japanese (for a first look or
# screenshots); run `make run` afterwards and log in with what it prints.
demo: fixtures
	$(DEV_ENV) $(BIN)/python manage.py seed_demo --scale small
	@echo "Now: make run, open http://127.0.0.1:8000 and log in with the e-mail and password above."

# Each page's server time, throughput and queries next to a floor view, under gunicorn with
# production settings (bench/README.md). A second pass on PostgreSQL when DATABASE_URL is set.
bench: $(STAMP) messages
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) messages lint
	$(BIN)/python -m pytest

# A consistent copy of the database: SQLite's online backup, or pg_dump when
# DATABASE_URL is PostgreSQL. Production sets its own environment; locally DEBUG=1.
backup: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py backup_db

clean:
	rm -rf $(VENV) staticfiles
