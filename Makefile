# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
METRICS_DIR ?= $(CURDIR)/.run/metrics

# The /docs page's renderer, vendored from npm (`make vendor-swagger-ui` after changing the version).
SWAGGER_UI_VERSION := 5.35.0
SWAGGER_UI_DIR := service/static/vendor/swagger-ui-dist-$(SWAGGER_UI_VERSION)
SWAGGER_UI_FILES := swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE
# The browser tests' npm tools (axe-core), pinned by tests/browser/package-lock.json.
BROWSER_NODE_MODULES := tests/browser/node_modules/.package-lock.json

.PHONY: run test install install-test browser-deps vignettes bench rulebook vendor-swagger-ui clean

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

$(BROWSER_NODE_MODULES): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent

# Without npm the browser tests skip locally (and fail in CI, which installs it).
browser-deps:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(BROWSER_NODE_MODULES); fi

## Install what the tests need and run the whole suite.
test: install-test browser-deps
	env -u PROMETHEUS_MULTIPROC_DIR $(BIN)/python -m pytest

## Score a running service (make run) against the public clinical cases.
vignettes:
	$(PYTHON) ../shared/tools/vignettes.py --url http://127.0.0.1:8000 --cases ../shared/clinical/vignettes-public.json

bench: install-test
	$(BIN)/python bench/engine_bench.py

## Build docs/rulebook.html, the rules for clinical sign-off, from the code and the content (commit it).
rulebook: install
	$(BIN)/python -m service.rulebook --out docs/rulebook.html

## Replace the vendored Swagger UI with the files of npm swagger-ui-dist@$(SWAGGER_UI_VERSION), and their SHA-256s.
vendor-swagger-ui:
	rm -rf service/static/vendor/swagger-ui-dist-*
	mkdir -p $(SWAGGER_UI_DIR)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT \
	  && npm pack --silent --pack-destination "$$tmp" swagger-ui-dist@$(SWAGGER_UI_VERSION) >/dev/null \
	  && tar -xzf "$$tmp"/swagger-ui-dist-$(SWAGGER_UI_VERSION).tgz -C "$$tmp" \
	  && cd "$$tmp/package" && cp $(SWAGGER_UI_FILES) $(CURDIR)/$(SWAGGER_UI_DIR)/
	cd $(SWAGGER_UI_DIR) && sha256sum $(SWAGGER_UI_FILES) > SHA256SUMS

clean:
	rm -rf $(VENV) .run .pytest_cache .hypothesis build
