# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
METRICS_DIR ?= $(CURDIR)/.run/metrics

.PHONY: run test install install-test vignettes bench rulebook clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# An editable install: an edited module is live at once; only pyproject.toml asks for a reinstall.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Installing the test extras builds the project too, so it also counts as the plain install.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Serve on 127.0.0.1:8000 under gunicorn (Ctrl-C to stop).
run: install
	mkdir -p $(METRICS_DIR)
	PROMETHEUS_MULTIPROC_DIR=$(METRICS_DIR) $(BIN)/gunicorn -c gunicorn.conf.py service.wsgi:app

## Install what the tests need and run the whole suite.
test: install-test
	env -u PROMETHEUS_MULTIPROC_DIR $(BIN)/python -m pytest

## Score a running service (make run) against the public clinical cases.
vignettes:
	$(PYTHON) ../shared/tools/vignettes.py --url http://127.0.0.1:8000 --cases ../shared/clinical/vignettes-public.json

bench: install-test
	$(BIN)/python bench/engine_bench.py

## Build docs/rulebook.html, the rules for clinical sign-off, from the code and the content (commit it).
rulebook: install
	$(BIN)/python -m service.rulebook --out docs/rulebook.html

clean:
	rm -rf $(VENV) .run .pytest_cache .hypothesis build
