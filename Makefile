# The two commands a newcomer needs: `make run` (demo portal) and `make test` (whole suite).
# Both create .venv and install the locked dependencies (uv.lock) with uv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test install install-dev lint security audit format worker clean bench loadtest

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --inexact --no-dev --quiet

install-dev: $(UV)
	$(UV) sync --frozen --inexact --quiet

## Serve the portal with demo data on http://127.0.0.1:8000 (SQLite, tasks inline).
run: export DEBUG ?= 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "\nServing the CoE Portal on http://127.0.0.1:8000 (Ctrl+C stops it)\n"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## Run the whole test suite. With DATABASE_URL (PostgreSQL) and REDIS_URL set, the
## integration tests run too; with Chromium at /usr/bin/chromium, the browser journeys.
test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

## Load test: 50 employees and 10 reviewers for 60 s against gunicorn on DATABASE_URL
## (PostgreSQL; use a scratch database) and, with REDIS_URL, a Celery worker. Prints the
## figures; fails on any server error or lost write. LOADTEST_ARGS="--seconds 10" etc.
loadtest: install-dev
	$(BIN)/python -m tests.load $(LOADTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Static security analysis of the project's code: no high-severity findings allowed.
security: install-dev
	$(BIN)/bandit --quiet --recursive coe_portal usecases governance skilling metrics --severity-level high

## Known vulnerabilities in the locked dependencies (dev ones too), from PyPI's advisories.
## --strict: a package that could not be audited is a failure, not a silent pass.
audit: install-dev
	$(UV) export --frozen --no-emit-project --quiet \
	  | $(BIN)/pip-audit --requirement /dev/stdin --disable-pip --strict --progress-spinner off

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## The benchmark (bench/README.md): needs PostgreSQL (BENCH_PG_URL); generates the data
## sets on first use. `make bench BENCH_ARGS=--quick` for a quick look (small data, 3 s a
## page); SIZES=large,small (the default) or one of them.
SIZES ?=
bench: install-dev
	$(BIN)/python bench/run.py $(if $(SIZES),--sizes $(SIZES)) $(BENCH_ARGS)

worker: install
	$(BIN)/celery -A coe_portal worker --beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles artifacts
