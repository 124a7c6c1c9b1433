# Two commands from a fresh clone: `make run` (the site with demo data) and
# `make test`. Everything else here is what CI runs (see .ci/run).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-installs only when pyproject.toml is newer than the last install.
INSTALLED := $(VENV)/.installed

RUN_ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
SERVICES_BROKER_URL ?= redis://127.0.0.1:6379/0

# The embedded defaults (SQLite, eager Celery, console email) must not be
# overridden by whatever production-like variables the caller's shell holds.
EMBEDDED_ENV := env -u DEBUG -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL -u EMAIL_HOST \
	-u EMAIL_BACKEND -u SECRET_KEY -u ALLOWED_HOSTS -u PORTAL_TESTING -u FIELD_ENCRYPTION_KEYS
SERVICES_ENV := env -u DEBUG -u CACHE_URL -u EMAIL_HOST -u EMAIL_BACKEND \
	DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL)

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv install run test test-services test-e2e lint check services-reachable \
	catalogs messages i18n-check

help:
	@echo "make run            install, migrate, seed demo data, serve on http://$(RUN_ADDR)/"
	@echo "make test           the test suite on SQLite with eager Celery (no browser tests)"
	@echo "make test-services  the suite on PostgreSQL + Redis, with a real Celery worker"
	@echo "make test-e2e       browser tests in Debian's Chromium"
	@echo "make lint           ruff check, ruff format --check, lint-imports and mypy"
	@echo "make check          manage.py check --deploy (production env) and missing migrations"
	@echo "make messages       extract marked strings into the catalogs (portal/locale), for translators"
	@echo "make i18n-check     catalogs up to date with the code, complete, no fuzzy entries"
	@echo "make bench          benchmarks on PostgreSQL: pause fan-out to 50k, payouts and payroll export of 1M entries"
	@echo "make bench-pages    contractor pages, API and admin lists under load (gunicorn, 8 clients) at 1M entries"
	@echo "make bench-smoke    every benchmark at a tiny scale, in seconds: each still runs and prints its ratios"

venv install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --editable ".[dev]"
	@touch $@

# The .po catalogs are committed; their .mo files are compiled here, by Babel,
# so nothing beyond the project's Python packages is needed to see every language.
catalogs: $(INSTALLED)
	@$(EMBEDDED_ENV) DEBUG=1 $(BIN)/python manage.py compile_catalogs --verbosity 0

# Extraction needs GNU gettext (xgettext, msgmerge): Debian's package "gettext".
messages: $(INSTALLED)
	$(EMBEDDED_ENV) DEBUG=1 $(BIN)/python manage.py update_catalogs
	$(EMBEDDED_ENV) DEBUG=1 $(BIN)/python manage.py compile_catalogs

i18n-check: $(INSTALLED)
	$(EMBEDDED_ENV) DEBUG=1 $(BIN)/python manage.py update_catalogs --check
	$(EMBEDDED_ENV) DEBUG=1 $(BIN)/python manage.py check_catalogs

run: $(INSTALLED) catalogs
	$(EMBEDDED_ENV) DEBUG=1 $(BIN)/python manage.py migrate --noinput
	$(EMBEDDED_ENV) DEBUG=1 SITE_URL="$${SITE_URL:-http://$(RUN_ADDR)}" $(BIN)/python manage.py seed_demo
	$(EMBEDDED_ENV) DEBUG=1 DEBUG_TOOLBAR=1 SITE_URL="$${SITE_URL:-http://$(RUN_ADDR)}" \
		$(BIN)/python manage.py runserver $(RUN_ADDR)

test: $(INSTALLED) catalogs
	$(EMBEDDED_ENV) $(BIN)/pytest -n auto -m "not e2e and not services" \
		--cov --cov-report=term:skip-covered $(PYTEST_ARGS)

# The delivery tests start their own Celery worker, so they run in a separate,
# serial session after the rest of the suite.
test-services: $(INSTALLED) catalogs services-reachable
	$(SERVICES_ENV) $(BIN)/pytest -n auto -m "not e2e and not services" $(PYTEST_ARGS)
	$(SERVICES_ENV) $(BIN)/pytest -m services $(PYTEST_ARGS)

services-reachable: $(INSTALLED)
	@$(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()' \
		"$(SERVICES_DATABASE_URL)" 2>/dev/null \
		|| { echo "ERROR: PostgreSQL is not reachable at $(SERVICES_DATABASE_URL)." >&2; \
		     echo "Start it: pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start" >&2; exit 1; }
	@$(BIN)/python -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()' \
		"$(SERVICES_BROKER_URL)" 2>/dev/null \
		|| { echo "ERROR: Redis is not reachable at $(SERVICES_BROKER_URL)." >&2; \
		     echo "Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no" >&2; exit 1; }
	@echo "PostgreSQL and Redis are reachable."

test-e2e: $(INSTALLED) catalogs
	$(EMBEDDED_ENV) $(BIN)/pytest -m e2e $(PYTEST_ARGS)

# mypy reads the models through the settings, which DEBUG=1 gives their embedded
# defaults; what it checks, and how strictly, is [tool.mypy] in pyproject.toml.
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(EMBEDDED_ENV) DEBUG=1 $(BIN)/mypy

# A throwaway SECRET_KEY and field encryption key: the check needs ones that
# look production-grade, and none may be committed.
check: $(INSTALLED)
	$(EMBEDDED_ENV) DEBUG=0 ALLOWED_HOSTS=portal.example.com \
		SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		FIELD_ENCRYPTION_KEYS="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(EMBEDDED_ENV) DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Benchmarks print their own baselines (a raw SQL statement, COPY) and the
# ratio against them; they need PostgreSQL and Redis and take several minutes.
.PHONY: bench
bench: bench-pause bench-payments bench-pages

# The payments benchmark, on a PostgreSQL database of its own, created
# if missing: seeds 10,000 contractors and 1,000,000 time entries, then times
# payout generation, the payroll exports and the earnings page.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
BENCH_ENV := env -u DEBUG -u CACHE_URL -u EMAIL_HOST -u CELERY_BROKER_URL -u PORTAL_TESTING \
	DATABASE_URL=$(BENCH_DATABASE_URL) ALLOWED_HOSTS=localhost,testserver \
	FIELD_ENCRYPTION_KEYS=bench-only-field-key-0123456789abcdefghij \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
	EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend

.PHONY: bench-payments
bench-payments: $(INSTALLED)
	@$(BIN)/python -c 'import sys, psycopg; base, name = sys.argv[1].rsplit("/", 1); \
		conn = psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3); \
		exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone(); \
		exists or conn.execute("CREATE DATABASE " + psycopg.sql.Identifier(name).as_string(conn))' \
		"$(BENCH_DATABASE_URL)" \
		|| { echo "ERROR: PostgreSQL is not reachable at $(BENCH_DATABASE_URL); the bench needs it." >&2; exit 1; }
	$(BENCH_ENV) SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py migrate --noinput
	$(BENCH_ENV) SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py bench_payments $(BENCH_ARGS)

# The pages benchmark, on the payments benchmark's database (seeded if missing):
# gunicorn with the production settings, 2 workers × 2 threads, and 8 concurrent
# clients; prints p50/p95/p99 per page beside /healthz from the same run.
# gunicorn gets the shared cache production has (Redis): sessions are read from it.
BENCH_PAGES_ARGS ?=
BENCH_PAGES_CACHE_URL ?= redis://127.0.0.1:6379/3

.PHONY: bench-pages
bench-pages: $(INSTALLED)
	@$(BIN)/python -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()' \
		"$(BENCH_PAGES_CACHE_URL)" \
		|| { echo "ERROR: Redis is not reachable at $(BENCH_PAGES_CACHE_URL); the bench needs it." >&2; exit 1; }
	@$(BIN)/python -c 'import sys, psycopg; base, name = sys.argv[1].rsplit("/", 1); \
		conn = psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3); \
		exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone(); \
		exists or conn.execute("CREATE DATABASE " + psycopg.sql.Identifier(name).as_string(conn))' \
		"$(BENCH_DATABASE_URL)" \
		|| { echo "ERROR: PostgreSQL is not reachable at $(BENCH_DATABASE_URL); the bench needs it." >&2; exit 1; }
	$(BENCH_ENV) SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py migrate --noinput
	$(BENCH_ENV) BENCH_CACHE_URL=$(BENCH_PAGES_CACHE_URL) \
		SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py bench_pages $(BENCH_PAGES_ARGS)

# The pause benchmark: a project with 50,000 active assignees on a
# PostgreSQL database of its own, recreated on each run, paused through the
# service; a real Celery worker then hands every email to a local SMTP server.
BENCH_PAUSE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench_pause
BENCH_PAUSE_BROKER_URL ?= redis://127.0.0.1:6379/13
BENCH_PAUSE_ENV := env -u DEBUG -u CACHE_URL -u EMAIL_HOST -u EMAIL_BACKEND -u PORTAL_TESTING \
	DATABASE_URL=$(BENCH_PAUSE_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_PAUSE_BROKER_URL) \
	ALLOWED_HOSTS=localhost FIELD_ENCRYPTION_KEYS=bench-only-field-key-0123456789abcdefghij

.PHONY: bench-pause
bench-pause: $(INSTALLED)
	@$(BIN)/python -c 'import sys, psycopg; base, name = sys.argv[1].rsplit("/", 1); \
		conn = psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3); \
		ident = psycopg.sql.Identifier(name).as_string(conn); \
		conn.execute("DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)"); \
		conn.execute("CREATE DATABASE " + ident)' \
		"$(BENCH_PAUSE_DATABASE_URL)" \
		|| { echo "ERROR: PostgreSQL is not reachable at $(BENCH_PAUSE_DATABASE_URL); the bench needs it." >&2; exit 1; }
	@$(BIN)/python -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()' \
		"$(BENCH_PAUSE_BROKER_URL)" \
		|| { echo "ERROR: Redis is not reachable at $(BENCH_PAUSE_BROKER_URL); the bench needs it." >&2; exit 1; }
	$(BENCH_PAUSE_ENV) SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py migrate --noinput
	$(BENCH_PAUSE_ENV) SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py bench_pause $(BENCH_PAUSE_ARGS)

# Every benchmark at a tiny scale, on databases of their own, so that none can
# break unnoticed: each must run to its end and print its ratios. The times are
# printed but never judged (CI machines are busy and small); `make bench` is
# where the targets are measured.
BENCH_SMOKE_LOG := var/bench-smoke
.PHONY: bench-smoke
bench-smoke: $(INSTALLED)
	@mkdir -p $(BENCH_SMOKE_LOG)
	$(MAKE) --no-print-directory bench-pause \
		BENCH_PAUSE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_pause_smoke \
		BENCH_PAUSE_BROKER_URL=redis://127.0.0.1:6379/14 \
		BENCH_PAUSE_ARGS="--assignees 300 --concurrency 1 --smoke" | tee $(BENCH_SMOKE_LOG)/pause.log
	grep -Eq 'ratio \(pause / raw notices\) +[0-9.]+×' $(BENCH_SMOKE_LOG)/pause.log \
		|| { echo "ERROR: bench_pause printed no ratio." >&2; exit 1; }
	$(MAKE) --no-print-directory bench-payments \
		BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_smoke \
		BENCH_ARGS="--contractors 20 --entries 1000 --history-weeks 3 --page-runs 1 --smoke" \
		| tee $(BENCH_SMOKE_LOG)/payments.log
	test "$$(grep -Ec '[0-9.]+×' $(BENCH_SMOKE_LOG)/payments.log)" -ge 3 \
		|| { echo "ERROR: bench_payments printed fewer than its three ratios." >&2; exit 1; }
	$(MAKE) --no-print-directory bench-pages \
		BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_smoke \
		BENCH_PAGES_ARGS="--contractors 20 --entries 1000 --history-weeks 3 --requests 3" \
		| tee $(BENCH_SMOKE_LOG)/pages.log
	grep -Eq '^/healthz +[0-9.]+ m?s' $(BENCH_SMOKE_LOG)/pages.log \
		&& test "$$(grep -Ec 'p95 ≤ 150 ms|≤ 300 ms' $(BENCH_SMOKE_LOG)/pages.log)" -ge 18 \
		|| { echo "ERROR: bench_pages printed no figures for /healthz and every page." >&2; exit 1; }
	@echo "Every benchmark ran and printed its ratios."
