# The README's commands. Every target sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test build lint format bench bench-shacl clean system-deps test-deps

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

## test-deps: what the tests drive besides Python: Debian's Chromium and its ChromeDriver
test-deps: system-deps
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || { \
	  echo "installing Debian's chromium and chromium-driver for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq chromium chromium-driver >/dev/null; }

## build: load ontology/, shapes/, data/ into the on-disk store
build: $(STAMP) system-deps
	$(BIN)/ascf-graph build

## run: build the store and serve it on http://$(HOST):$(PORT)
run: build
	$(BIN)/ascf-graph serve --host $(HOST) --port $(PORT)

## test: the whole suite, with ruff first
test: $(STAMP) test-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

## bench: every system side by side over SIZE generated triples (10k, 100k, 1M, 10M)
SIZE ?= 10k
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench run --size $(SIZE) $(BENCH_ARGS)

## bench-shacl: time validating steward submissions of SUBMISSIONS triples, ours vs plain pyshacl
SUBMISSIONS ?= 1k,10k
bench-shacl: $(STAMP)
	$(BIN)/python -m bench shacl --sizes $(SUBMISSIONS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var .pytest_cache .ruff_cache
