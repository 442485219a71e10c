# The two commands: `make demo` (a demo node at http://127.0.0.1:8000) and `make test`.
# Both create .venv and install the locked dependencies themselves.

PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.8
ARGS ?=
PYTEST_ARGS ?=

export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
# Byte-compile once: the tests start many `jsms` processes, and a machine that forbids .pyc
# files (PYTHONDONTWRITEBYTECODE) would compile every module again in each of them.
export UV_COMPILE_BYTECODE := 1
unexport PYTHONDONTWRITEBYTECODE

LOCALE := src/jsms/locale
VENDOR := src/jsms/web/static/vendor
CATALOGUES := $(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po)

.PHONY: install assets translations extract demo test bench lint screenshots clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python "$$(command -v $(PYTHON))"
	touch $@

install: $(VENV)/.synced assets translations

# Front-end libraries from npm (package-lock.json), copied where the pages serve them from.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/htmx
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	touch $@

assets: $(VENDOR)/.installed

# Compiled catalogues (.mo) are built, not committed.
translations: $(CATALOGUES:.po=.mo)

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(VENV)/.synced
	$(VENV)/bin/pybabel compile --use-fuzzy -d $(LOCALE) -D messages -l $* > /dev/null

# After changing strings: extract them and merge into the catalogues, then translate the new ones.
extract: $(VENV)/.synced
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k _ --no-location --sort-output -o $(LOCALE)/messages.pot src
	$(VENV)/bin/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --no-fuzzy-matching --ignore-obsolete

demo: install
	$(VENV)/bin/jsms demo $(ARGS)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(VENV)/bin/python -m bench $(ARGS)

# Refresh the README's screenshot with the browser tests' own helper.
screenshots: install
	JSMS_UPDATE_SCREENSHOTS=1 $(VENV)/bin/pytest tests/web/test_browser.py -k dashboard -q

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache node_modules $(VENDOR) $(LOCALE)/*/LC_MESSAGES/*.mo
