# Perth — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Debian packages the test suite drives for real (shells, multiplexer, linters).
DEB_PACKAGES ?= zsh bash fish tmux git shellcheck sqlite3 openssl
export PERTH_HOME ?= $(CURDIR)/.perth-home

.PHONY: run test smoke-core lint typecheck contracts pytest bench bench-core bench-redact bench-shellperf bench-capture bench-mux bench-summarize docs deb-deps clean

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
	@echo "Next: keep using this demo store from your shell (without PERTH_HOME, Perth uses your real data folders):"
	@echo "  export PERTH_HOME='$(PERTH_HOME)' PATH=\"$(abspath $(BIN)):\$$PATH\""
	@echo "  perth log \"what you are about to do\"; perth status; perth history"

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

## smoke-core: install the core alone (no extra) into a fresh venv under a temporary folder and tour it
smoke-core:
	$(PYTHON) tests/install/core_smoke.py

## test: install everything (Python and Debian packages) and run lint, types, contracts, the core-only smoke and tests
test: deb-deps $(BIN)/perth lint typecheck contracts smoke-core pytest

bench: bench-core bench-redact bench-shellperf bench-capture bench-mux bench-summarize

bench-core: $(BIN)/perth
	$(BIN)/python bench/bench_core.py

bench-redact: $(BIN)/perth
	$(BIN)/python bench/bench_redact.py

bench-shellperf: $(BIN)/perth
	$(BIN)/python bench/bench_shellperf.py

bench-capture: $(BIN)/perth
	$(BIN)/python bench/bench_capture.py

bench-mux: $(BIN)/perth
	$(BIN)/python bench/bench_mux.py

bench-summarize: $(BIN)/perth
	$(BIN)/python bench/bench_summarize.py

## docs: regenerate the CLI reference from --help and the secret filter's runtime tables from its rules
docs: $(BIN)/perth
	$(BIN)/python -m perth.cli.reference > docs/cli.md
	$(BIN)/python -m perth.redact.generate
	$(BIN)/python -m perth.config_reference

clean:
	rm -rf $(VENV) .perth-home .mypy_cache .ruff_cache build dist
