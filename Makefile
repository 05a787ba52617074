# The set-up commands: `make run`, `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run serve demo test lint typecheck venv clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## run: migrate, create the admin user, start the web server and the main and covers clusters (Ctrl-C stops them all)
run: venv
	PY=$(PY) scripts/run.sh

## serve: the production web process: collectstatic, then gunicorn with DEBUG off (needs SECRET_KEY, ALLOWED_HOSTS)
serve: venv
	PY=$(PY) scripts/serve.sh

## demo: `make run` on its own demo.sqlite3, with a local demo provider and a demo export (no network)
demo: venv
	PY=$(PY) scripts/demo.sh

## test: the whole suite on SQLite, then on a throwaway PostgreSQL cluster
test: venv
	PY=$(PY) scripts/test.sh

## lint: ruff, mypy (the typecheck target) and a migrations check
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory typecheck
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## typecheck: mypy with django-stubs (mypy.ini); its Django plugin loads the settings, so DEBUG=1
typecheck: venv
	DEBUG=1 $(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
