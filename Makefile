# Perth — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Debian packages the test suite drives for real (shells, multiplexer, linters).
DEB_PACKAGES ?= zsh bash fish tmux git shellcheck sqlite3 openssl
export PERTH_HOME ?= $(CURDIR)/.perth-home

.PHONY: run test lint typecheck contracts pytest bench bench-core bench-redact bench-shellperf bench-features bench-capture bench-mux bench-summarize docs deb-deps clean

$(BIN)/perth: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

## run: install Perth into .venv and show it working on the embedded SQLite store
run: $(BIN)/perth
	@echo "== perth doctor (data in $$PERTH_HOME)"
	@$(BIN)/perth doctor
	@echo
	@echo "== perth status"
	@$(BIN)/perth status
	@echo
	@echo "Next: $(BIN)/perth log \"what you are about to do\"   (then: perth status, perth history)"

## deb-deps: install the Debian packages the suite needs, when missing
deb-deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(BIN)/perth
	$(BIN)/ruff check src tests bench

typecheck: $(BIN)/perth
	$(BIN)/mypy

contracts: $(BIN)/perth
	$(BIN)/lint-imports

## pytest: run the suite; "no tests ran" (exit 5) is a failure
pytest: $(BIN)/perth
	@set +e; PERTH_HOME= $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadfile; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest ran no tests: failing"; exit 1; fi; exit $$rc

## test: install everything (Python and Debian packages) and run lint, types, contracts and tests
test: deb-deps $(BIN)/perth lint typecheck contracts pytest

# Benchmarks: each exits 1 when a goal it names is not met (BENCH_FLAGS=--no-gate to explore).
# `make bench` runs them all, then writes their figures into docs/benchmarks.md (bench/report.py)
# and fails if any of them missed a goal.
BENCH_RESULTS ?= $(CURDIR)/.bench-results
BENCH_FLAGS ?=
BENCH_RUN = $(BIN)/python -m compileall -q src/perth && $(BIN)/python
BENCHES := bench-core bench-redact bench-shellperf bench-features bench-capture bench-mux bench-summarize

bench: $(BIN)/perth
	@rm -rf $(BENCH_RESULTS); failed=""; \
	for b in $(BENCHES); do $(MAKE) --no-print-directory $$b BENCH_FLAGS="$(BENCH_FLAGS) --results $(BENCH_RESULTS)" || failed="$$failed $$b"; done; \
	$(BIN)/python bench/report.py $(BENCH_RESULTS) docs/benchmarks.md; \
	if [ -n "$$failed" ]; then echo "goals missed in:$$failed"; exit 1; fi

bench-core: $(BIN)/perth
	$(BENCH_RUN) bench/bench_core.py $(BENCH_FLAGS)

bench-redact: $(BIN)/perth
	$(BENCH_RUN) bench/bench_redact.py $(BENCH_FLAGS)

bench-shellperf: $(BIN)/perth
	$(BENCH_RUN) bench/bench_shellperf.py $(BENCH_FLAGS)

bench-features: $(BIN)/perth
	$(BENCH_RUN) bench/bench_features.py $(BENCH_FLAGS)

bench-capture: $(BIN)/perth
	$(BENCH_RUN) bench/bench_capture.py $(BENCH_FLAGS)

bench-mux: $(BIN)/perth
	$(BENCH_RUN) bench/bench_mux.py $(BENCH_FLAGS)

bench-summarize: $(BIN)/perth
	$(BENCH_RUN) bench/bench_summarize.py $(BENCH_FLAGS)

## docs: regenerate the CLI reference from --help and the secret filter's runtime tables from its rules
docs: $(BIN)/perth
	$(BIN)/python -m perth.cli.reference > docs/cli.md
	$(BIN)/python -m perth.redact.generate

clean:
	rm -rf $(VENV) .perth-home .mypy_cache .ruff_cache build dist
