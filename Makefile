# Bastau: `make demo` runs the product, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The product alone, without the test tools: what `make demo` and `make serve` need.
RUN_STAMP := $(VENV)/.installed-run
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= bastau.settings
# Wheels when there are any (no builds from source), no .pyc written for every installed file
# (Python compiles the modules it imports, when it first imports them), and no upgrade of the
# venv's own pip: Python 3.11's pip installs the project in editable mode as it is.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --prefer-binary --no-compile

.PHONY: install demo serve test test-dates lint format messages compilemessages clean bench bench-smoke bench-e2e trustee-pyz native native-if-go

$(RUN_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# A venv that `make install` brought up to date already holds the product.
	@if test $(STAMP) -nt pyproject.toml; then :; else \
	  echo "$(PIP_INSTALL) -e ."; $(PIP_INSTALL) -e .; fi
	@touch $(RUN_STAMP)

# The test tools (pytest, Playwright, ruff...) as well: `make install`, `make test`.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e '.[test]'
	@touch $(STAMP) $(RUN_STAMP)

install: $(STAMP) compilemessages native-if-go
	@test -x $(BIN)/bastau

native-if-go:
	@if command -v go >/dev/null && test -d $(GOCODE)/src/filippo.io/edwards25519 \
	  && test -d $(GOCODE)/src/github.com/bwesterb/go-ristretto; then \
	  $(MAKE) --no-print-directory native; \
	else echo "Note: no Go or its curve libraries: the encrypted-record verifier will use its" \
	  "reference engine (apt-get install golang-go golang-filippo-edwards25519-dev" \
	  "golang-github-bwesterb-go-ristretto-dev, then make native)"; fi

# The native batch verifier of encrypted records (native/msm, docs/verification.md "Batch
# verification"): Go in GOPATH mode against Debian's packaged sources of filippo.io/edwards25519
# and github.com/bwesterb/go-ristretto, offline. Installed as .venv/bin/bastau-msm.
GOCODE ?= /usr/share/gocode
native: $(BIN)/bastau-msm
$(BIN)/bastau-msm: native/msm/main.go
	@mkdir -p $(BIN)
	cd native/msm && GO111MODULE=off GOPATH=$(GOCODE) GOFLAGS= go build -trimpath \
	  -o $(CURDIR)/$(BIN)/bastau-msm .

compilemessages: $(RUN_STAMP)
	@$(BIN)/python -m bastau.core.compilemessages

demo: export DEBUG = true
demo: export SITE_URL = http://$(HOST):$(PORT)
demo: $(RUN_STAMP) compilemessages native-if-go
	@mkdir -p var
	@# Migrate, seed and print the logins in one process: each start of Django costs seconds.
	$(BIN)/bastau seed_demo --migrate --logins
	@# The worker's output (the one-time login codes among it) goes to this console.
	@$(BIN)/bastau db_worker & echo $$! > var/worker.pid
	@trap 'kill $$(cat var/worker.pid) 2>/dev/null' EXIT INT TERM; \
	  echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C stops)"; \
	  $(BIN)/bastau runserver --noreload $(HOST):$(PORT)

# The production stack (docs/deploy.md, section 5): checks the keys, migrates, collects the
# static files, then runs granian, the task worker, the ballot sealer and the daily jobs.
# Needs SECRET_KEY and BOARD_SIGNING_KEY in the environment; HTTPS=true behind a TLS proxy.
serve: $(RUN_STAMP) compilemessages native-if-go
	$(BIN)/bastau serve --host $(HOST) --port $(PORT)

# Pytest workers of `make test` (pytest-xdist): one per core of the CI machine.
PYTEST_JOBS ?= 2
test: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/bastau makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n $(PYTEST_JOBS) $(PYTEST_ARGS)

# The suite (without the browser tests) on days that have broken date logic before: New Year
# just after midnight, a Monday after a holiday (Orthodox Christmas on Friday 7 January 2028), a
# leap day, a summer day, New Year's Eve in 2035 (BASTAU_TEST_NOW moves the clock for the whole
# session; tests/conftest.py). One run after another, ~3 min each on an idle machine.
TEST_DATES ?= 2027-01-01T00:30+05:00 2028-01-10T09:00+05:00 2028-02-29T10:00+05:00 \
	2030-07-15T12:00+05:00 2035-12-31T23:30+05:00
# Two moments at a time (one per core), each its own pytest process, in-memory test database
# and var/ folder (the demo writes its trustees' key files there).
TEST_DATES_JOBS ?= 2
# Left out of the dated runs: code that never reads the clock (the pure encrypted-ballot core,
# bastau.primaries.e2e, and the browser crypto run under Node), so its result cannot depend on
# the day; the browser tests are left out as before.
CLOCK_FREE = --ignore=tests/e2e --ignore=tests/primaries/e2e \
	--ignore=tests/primaries/test_e2e_js.py --ignore=tests/primaries/test_e2e_js_python.py \
	--ignore=tests/primaries/test_e2e_verify_js.py --ignore=tests/primaries/test_e2e_vendored.py \
	--ignore=tests/primaries/test_e2e_audit_checker.py
test-dates: install
	@mkdir -p var/test-dates
	@printf '%s\n' $(TEST_DATES) | xargs -P $(TEST_DATES_JOBS) -I{} sh -c '\
	  log="var/test-dates/$$(echo {} | tr ":+" "-_").log"; \
	  BASTAU_VAR_DIR="$(CURDIR)/$${log%.log}-var" \
	  BASTAU_TEST_NOW={} $(BIN)/python -m pytest -q -p no:cacheprovider $(CLOCK_FREE) \
	    $(PYTEST_ARGS) >"$$log" 2>&1; status=$$?; \
	  if [ $$status -ne 0 ]; then cat "$$log"; fi; \
	  echo "== the suite as of {}: $$(tail -1 "$$log")"; exit $$status'

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

# Benchmarks (bench/README.md): PostgreSQL at 127.0.0.1:5432 (BENCH_ARGS=--database-url ...).
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) compilemessages
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# bench-smoke includes the encrypted-ballot benchmarks at toy size (bench/b_e2e.py: Bastau only;
# the Belenios comparison is skipped with a printed note and never counted as passed).
bench-smoke: $(BENCH_STAMP) compilemessages
	$(BIN)/python bench/run.py --smoke $(BENCH_ARGS)

# Encrypted ballots only, full size, no database: Belenios 2.0 beside Bastau (apt-get installs
# belenios-tool if missing), then the national election (1/10 of the lists, extrapolated).
bench-e2e: $(BENCH_STAMP)
	$(BIN)/python bench/e2e_belenios.py $(E2E_ARGS)
	$(BIN)/python bench/e2e_national.py $(E2E_NATIONAL_ARGS)

# The trustee's command as one file: needs only Python 3.11+, rbcl and cryptography to run.
trustee-pyz:
	$(PYTHON) src/bastau/primaries/e2e/build_pyz.py dist/bastau-trustee.pyz

messages: $(STAMP)
	cd src/bastau && ../../$(BIN)/bastau makemessages -l kk -l ru -l en --no-obsolete --no-location

clean:
	rm -rf $(VENV) var .pytest_cache dist
