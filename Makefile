# The two commands a fresh clone needs: `make run` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: run serve test test-sqlite test-postgres bench clean

run: $(STAMP)
	scripts/run.sh

# Production-style: migrate, then gunicorn (gunicorn.conf.py); needs DATABASE_URL and MHU_SECRET_KEY.
serve: $(STAMP)
	scripts/serve.sh

test: $(STAMP)
	scripts/test.sh

test-sqlite: $(STAMP)
	scripts/test.sh sqlite

test-postgres: $(STAMP)
	scripts/test.sh postgres

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
