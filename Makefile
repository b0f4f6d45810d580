# The commands of the README and docs/command-line.md. Every target sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test docs build lint format bench bench-shacl soak clean system-deps test-deps editor-assets country-outlines

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## system-deps: a Java runtime for HermiT, installed from Debian when missing
system-deps:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing a Java runtime for the HermiT reasoner"; \
	  apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null; }

## test-deps: what the tests drive besides Python: Debian's Chromium and its ChromeDriver,
## and Virtuoso as a remote store (the Oxigraph server comes from PyPI with the dev extra)
test-deps: system-deps
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver -a -x /usr/bin/virtuoso-t || { \
	  echo "installing Debian's chromium, chromium-driver and virtuoso-opensource for the tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq chromium chromium-driver virtuoso-opensource >/dev/null; }

## editor-assets: the query editor (YASGUI) from the npm registry, pinned by package-lock.json,
## so /sparql serves it with no internet access at run time
EDITOR := src/ascf_graph/html/editor_assets
EDITOR_STAMP := $(EDITOR)/node_modules/.installed
editor-assets: $(EDITOR_STAMP)

$(EDITOR_STAMP): $(EDITOR)/package.json $(EDITOR)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "installing Debian's npm for the query editor's assets"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm ci --prefix $(EDITOR) --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

## country-outlines: rewrite the committed country outlines from the npm package world-atlas,
## pinned (Natural Earth 1:50m, public domain); only when changing the pin, never at run time
WORLD_ATLAS := world-atlas@2.0.2
country-outlines: $(STAMP)
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent $(WORLD_ATLAS) >/dev/null \
	  && tar xzf world-atlas-*.tgz && cd - >/dev/null \
	  && $(BIN)/ascf-graph country-outlines $$tmp/package/countries-50m.json; rm -rf $$tmp

## build: load ontology/, shapes/, data/ into the on-disk store
build: $(STAMP) system-deps
	$(BIN)/ascf-graph build

## run: build the store and serve it on http://$(HOST):$(PORT)
run: build editor-assets
	$(BIN)/ascf-graph serve --host $(HOST) --port $(PORT)

## test: the whole suite, with ruff, the import layers (lint-imports) and the strict docs build first;
## TEST_WORKERS processes run the test files side by side (each file in one process, as its
## servers are shared by its tests; 0 for one process), then the tests marked `alone`, which
## time the server's answers, run with nothing beside them
TEST_WORKERS ?= 2
test: $(STAMP) test-deps editor-assets
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	$(BIN)/pytest -m "not alone" --numprocesses $(TEST_WORKERS) --dist loadfile
	$(BIN)/pytest -m alone

## docs: docs/ as a site in site/; --strict fails on a broken link or a page left out of the nav
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## bench: every system side by side over SIZE generated triples (10k, 100k, 1M, 10M)
SIZE ?= 10k
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench run --size $(SIZE) $(BENCH_ARGS)

## bench-shacl: time validating steward submissions of SUBMISSIONS triples, ours vs plain pyshacl
SUBMISSIONS ?= 1k,10k
bench-shacl: $(STAMP)
	$(BIN)/python -m bench shacl --sizes $(SUBMISSIONS)

## soak: a real server (its own store, built afresh in a temporary folder, on a free
## loopback port) under ordinary and hostile clients for about two minutes; fails on a 5xx
## other than a documented busy 503, an answer the limits do not promise, a /health slower
## than 5 s or memory past the bound (SOAK_ARGS: --duration, --concurrency, --seed, --help)
SOAK_ARGS ?=
soak: $(STAMP) system-deps
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## clean: caches, the docs site and the bench's generated data; never var/, which holds stewards' submissions
clean:
	rm -rf .pytest_cache .ruff_cache bench/out site
