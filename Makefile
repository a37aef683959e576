# Perth — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Debian packages the test suite drives for real (shells, multiplexer, linters).
DEB_PACKAGES ?= zsh bash fish tmux git shellcheck sqlite3 openssl postgresql universal-ctags openssh-server chromium chromium-driver
export PERTH_HOME ?= $(CURDIR)/.perth-home

.PHONY: run test services smoke-core lint typecheck contracts pytest bench bench-core bench-redact bench-shellperf bench-capture bench-mux bench-summarize bench-team docs deb-deps clean bench-features bench-code bench-events bench-search bench-ops bench-web

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

## services: start the local servers the integration tests use, when they are down (never stops any)
services:
	@up() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$$1" 2>/dev/null; }; \
	wait_for() { for _ in $$(seq 1 60); do up $$1 && return 0; sleep 0.5; done; echo "service on port $$1 did not start"; return 1; }; \
	start() { port=$$1; shift; up $$port && return 0; echo "starting the service on 127.0.0.1:$$port"; "$$@" >/dev/null 2>&1 || true; wait_for $$port; }; \
	start 5432 pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql 2>/dev/null | head -1) main start && \
	start 6379 redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log && \
	start 5672 rabbitmq-server -detached && \
	start 1883 mosquitto -d -c /etc/mosquitto/mosquitto.conf && \
	start 4222 start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log && \
	start 3306 start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd

## smoke-core: install the core alone (no extra) into a fresh venv under a temporary folder and tour it
smoke-core:
	$(PYTHON) tests/install/core_smoke.py

## test: install everything (Python and Debian packages), start the local servers, run lint, types, contracts,
## the core-only smoke tour and the tests
test: deb-deps $(BIN)/perth services lint typecheck contracts smoke-core pytest


# Benchmarks: each exits 1 when a goal it names is not met (BENCH_FLAGS=--no-gate to explore).
# `make bench` runs them all, then writes their figures into docs/benchmarks.md (bench/report.py)
# and fails if any of them missed a goal.
BENCH_RESULTS ?= $(CURDIR)/.bench-results
BENCH_FLAGS ?=
BENCH_RUN = $(BIN)/python -m compileall -q src/perth && $(BIN)/python
BENCHES := bench-core bench-redact bench-shellperf bench-capture bench-mux bench-summarize bench-team bench-features bench-code bench-events bench-search bench-ops bench-web

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

bench-events: $(BIN)/perth services
	$(BENCH_RUN) bench/bench_events.py $(BENCH_FLAGS)

bench-team: $(BIN)/perth services
	$(BENCH_RUN) bench/bench_team.py $(BENCH_FLAGS)

bench-code: $(BIN)/perth
	$(BENCH_RUN) bench/bench_code.py $(BENCH_FLAGS)

bench-search: $(BIN)/perth
	$(BENCH_RUN) bench/bench_search.py $(BENCH_FLAGS)

bench-ops: $(BIN)/perth
	$(BENCH_RUN) bench/bench_ops.py $(BENCH_FLAGS)

bench-web: $(BIN)/perth
	$(BENCH_RUN) bench/bench_web.py $(BENCH_FLAGS)

.PHONY: bench-sync
BENCHES += bench-sync
bench-sync: $(BIN)/perth services
	$(BENCH_RUN) bench/bench_sync.py $(BENCH_FLAGS)

## docs: regenerate the CLI reference from --help and the secret filter's runtime tables from its rules
docs: $(BIN)/perth
	$(BIN)/python -m perth.cli.reference > docs/cli.md
	$(BIN)/python -m perth.redact.generate
	$(BIN)/python -m perth.config_reference

clean:
	rm -rf $(VENV) .perth-home .mypy_cache .ruff_cache build dist
