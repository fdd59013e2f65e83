# SUSTech Merch Store. `make test` builds and runs every test; see README.md.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
VENV       := $(BUILD_DIR)/venv
PYTHON     := $(VENV)/bin/python

.PHONY: all deps build test bench bench-smoke test-asan venv psql db-reset db-start db-stop kafka-start kafka-stop logs format clean \
        up down stack-status e2e

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR)

# Python test tools live in a venv inside the build tree, pinned by tests/requirements.txt.
$(VENV)/.installed: tests/requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

venv: $(VENV)/.installed

test: build venv
	ctest --test-dir $(BUILD_DIR) --output-on-failure --parallel 2
	$(PYTHON) -m pytest -q tests/contract tests/integration
	@$(MAKE) --no-print-directory e2e

# The black-box suite (tests/e2e) against the stack of `make up`, which is stopped afterwards
# whatever the outcome (so `make test` also stops a stack you started yourself).
# The benchmark smoke (bench/run --smoke) runs against the same stack, after the suite.
e2e: build venv $(VEGETA)
	@BUILD_DIR=$(abspath $(BUILD_DIR)) scripts/stack.sh up
	@status=0; $(PYTHON) -m pytest -q tests/e2e || status=$$?; \
	  $(BENCH_ENV) bench/run --smoke || status=$$?; \
	  scripts/stack.sh down; exit $$status

# The whole stack in the background (scripts/stack.sh): PostgreSQL, Kafka, merch-db,
# merch-logging, two api replicas and nginx on :8080; returns once /readyz answers 200 on each
# replica and through nginx. Logs and pid files under .run/, settings for clients in .run/stack.env.
up: build
	@BUILD_DIR=$(abspath $(BUILD_DIR)) scripts/stack.sh up

down:
	@scripts/stack.sh down

stack-status:
	@scripts/stack.sh status

# Benchmarks with their baselines measured in the same run (bench/run): the full run writes
# bench/RESULTS.md and bench/results.json; the smoke (a few seconds per scenario, no thresholds)
# writes under $(BUILD_DIR)/bench-smoke. Both use the stack of `make up`, and start it (and stop
# it after) when nothing of it runs.
bench: build $(VEGETA)
	$(BENCH_ENV) bench/run

bench-smoke: build $(VEGETA)
	$(BENCH_ENV) bench/run --smoke

# vegeta, bench/run's open-loop load generator, from the Go module proxy at a pinned version,
# built into the build tree (Go from PATH or /usr/local/go).
VEGETA_VERSION := v12.13.0
VEGETA := $(BUILD_DIR)/tools/vegeta-$(VEGETA_VERSION)/vegeta
GO := $(or $(shell command -v go),$(wildcard /usr/local/go/bin/go))
BENCH_ENV := BUILD_DIR=$(abspath $(BUILD_DIR)) VEGETA=$(abspath $(VEGETA))

$(VEGETA):
	@test -n "$(GO)" || { echo "go not found (needed to build vegeta for bench/run): install Go >= 1.22" >&2; exit 1; }
	GOBIN=$(abspath $(dir $(VEGETA))) GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
	  $(GO) install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B $(BUILD_DIR)-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMERCH_SANITIZE=ON
	cmake --build $(BUILD_DIR)-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ctest --test-dir $(BUILD_DIR)-asan --output-on-failure

# The private PostgreSQL under .run/postgres (port PG_PORT, default 55432).
db-start:
	@scripts/postgres.sh start

db-stop:
	@scripts/postgres.sh stop

# The private Kafka broker under .run/kafka (port KAFKA_PORT, default 9092; topic log-channel).
kafka-start:
	@scripts/kafka.sh start

kafka-stop:
	@scripts/kafka.sh stop

# Follows the log topic with merch-logs, at the broker and topic of .run/stack.env (written by the
# local stack) when it exists, else the defaults. Options go in LOGS_ARGS, e.g.
#   make logs LOGS_ARGS="--from-beginning --trace-id abc"
logs: build
	@if [ -f .run/stack.env ]; then set -a; . ./.run/stack.env; set +a; fi; \
	  exec $(BUILD_DIR)/services/logging/merch-logs $(LOGS_ARGS)

psql: db-start
	@scripts/postgres.sh psql

db-reset: db-start
	@scripts/postgres.sh reset

format:
	find libs services -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(BUILD_DIR)-asan
