# tzkg: `make serve` and `make test` are the whole setup. Nothing here prompts (CI has no stdin).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
STORE_DIR ?= $(or $(TZKG_STORE_DIR),var/store)
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python 3.11+ on PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && { command -v $$p; break; }; done)

VENV_STAMP := $(VENV)/.installed
STORE_STAMP := $(STORE_DIR)/build.json
# What a build reads: when one of these is newer than the store, `make serve` rebuilds.
BUILD_INPUTS := $(shell find data ontology tzkg/build.py tzkg/loaders -type f \
	-not -name '*.pyc' 2>/dev/null)

.PHONY: help venv system-deps build serve test test-fast lint clean distclean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

venv: $(VENV_STAMP) ## Create .venv and install tzkg with its dev tools

$(VENV_STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "tzkg needs Python 3.11 or newer on PATH" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

system-deps: ## Install Java (for the OWL reasoner) when it is missing and we are root
	@if command -v java >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing default-jre-headless"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends \
			default-jre-headless >/dev/null; \
	else \
		echo "warning: java is missing; install default-jre-headless for the reasoner" >&2; \
	fi
	@# Chromium for the browser tests (the query editor), driven by Playwright from PyPI.
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else \
		echo "warning: /usr/bin/chromium is missing; the browser tests will be skipped" >&2; \
	fi
	@# A CJK font, so that pages screenshotted in headless Chromium show Chinese, not boxes.
	@if [ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing fonts-wqy-zenhei"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends \
			fonts-wqy-zenhei >/dev/null; \
	fi

build: venv system-deps ## Build the store (var/store) from data/ and ontology/
	$(BIN)/tzkg build --store $(STORE_DIR)

$(STORE_STAMP): $(BUILD_INPUTS) | $(VENV_STAMP)
	@$(MAKE) --no-print-directory system-deps
	$(BIN)/tzkg build --store $(STORE_DIR)

serve: venv $(STORE_STAMP) ## Build the store if it is missing or stale, then serve on :8000
	$(BIN)/tzkg serve --store $(STORE_DIR) --host $(HOST) --port $(PORT)

test: venv system-deps ## Lint, type-check and run every test
	$(BIN)/ruff check .
	$(BIN)/mypy tzkg
	$(BIN)/pytest

test-fast: venv ## Run the tests that are not marked slow
	$(BIN)/pytest -m "not slow"

lint: venv ## ruff and mypy only
	$(BIN)/ruff check .
	$(BIN)/mypy tzkg

clean: ## Remove the store and caches (keeps .venv)
	rm -rf var .mypy_cache .ruff_cache .pytest_cache build dist *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## Also remove .venv
	rm -rf $(VENV)
