# Two commands matter: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMPS := var/.stamps
SYS_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core gettext
TEST_PACKAGES := chromium poppler-utils pgbouncer
# What `make scale-check` runs beside the portal (PostgreSQL and Redis: their own clusters).
SCALE_PACKAGES := postgresql redis-server pgbouncer haproxy

.PHONY: run test bench scale-check lint setup sysdeps testdeps venv messages migrate demo clean

run: setup migrate demo
	$(PY) manage.py serve

# The whole suite under coverage, with the floor (pyproject.toml [tool.coverage.report]).
# The floor is for the whole suite on PostgreSQL (CI sets DATABASE_URL); on the embedded
# SQLite the PostgreSQL-only tests (row locks, concurrency) are skipped, so it is not applied.
test: setup testdeps
	$(PY) -m pytest --cov --cov-report= $(if $(DATABASE_URL),,--cov-fail-under=0)

bench: setup
	$(PY) -m bench

# Two web nodes, two worker nodes and beat behind HAProxy, PgBouncer, a streaming replica and
# an S3 endpoint, all on this machine; proves files, payments, reports, rate limits, bulk
# jobs and failover across them (bench/scale_check.py), then stops everything it started.
scale-check: setup
	@missing=$$(for p in $(SCALE_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	$(PY) -m bench.scale_check

lint: venv
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

setup: sysdeps venv messages

sysdeps: $(STAMPS)/sysdeps
$(STAMPS)/sysdeps:
	@mkdir -p $(STAMPS)
	@missing=$$(for p in $(SYS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@touch $@

testdeps: $(STAMPS)/testdeps
$(STAMPS)/testdeps:
	@mkdir -p $(STAMPS)
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing test packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@touch $@

venv: $(STAMPS)/venv
$(STAMPS)/venv: pyproject.toml constraints.txt
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	@touch $@

messages: locale/bn/LC_MESSAGES/django.mo
locale/bn/LC_MESSAGES/django.mo: locale/bn/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

migrate: venv messages
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

clean:
	rm -rf $(VENV) var
