# The two commands: `make` (set up .venv and build site/) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Outside clients the tests drive that come from npm (the YAML language server editors run).
JS     := tests/js
JSSTAMP := $(JS)/node_modules/.installed-stamp
# Material 9.8 prints an end-of-life banner whenever its theme is imported; keep output clean.
export NO_MKDOCS_2_WARNING := 1

.PHONY: all build test serve bench check schema messages clean

all: build

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sopbook needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "sopbook: cannot create .venv; install python3-venv (sudo apt-get install python3-venv)" >&2; exit 1; }
	@scripts/python-deps.sh $(VENV)
	@touch $(STAMP)

build: $(STAMP)
	@scripts/system-deps.sh build
	$(BIN)/sopbook build
	@echo "sopbook: handbook ready: site/index.html  (cards: site/cards/)"

check: $(STAMP)
	$(BIN)/sopbook check

$(JSSTAMP): $(JS)/package.json $(JS)/package-lock.json
	@echo "sopbook: installing the test clients from npm ($(JS)/package.json)"
	@npm ci --prefix $(JS) --no-audit --no-fund --silent
	@touch $(JSSTAMP)

test: $(STAMP)
	@scripts/system-deps.sh test
	@$(MAKE) --no-print-directory $(JSSTAMP)
	$(BIN)/ruff check
	$(BIN)/mypy sopbook
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/sopbook serve

bench: $(STAMP)
	@scripts/system-deps.sh test
	$(BIN)/python benchmarks/run.py

schema: $(STAMP)
	$(BIN)/sopbook schema

# Gather every message id into sopbook/locale/sopbook.pot and merge it into each catalog; then
# translate the new entries (tests/test_messages.py names any left untranslated).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ --no-location --sort-output -o sopbook/locale/sopbook.pot --no-wrap .
	$(BIN)/pybabel update -i sopbook/locale/sopbook.pot -d sopbook/locale -D sopbook --no-fuzzy-matching --ignore-obsolete --no-wrap

clean:
	rm -rf site site.tmp-* site.old-* .sopbook-cache $(JS)/node_modules
