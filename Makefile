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
