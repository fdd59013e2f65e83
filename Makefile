# SUSTech Merch Store. `make test` builds and runs every test; see README.md.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
VENV       := $(BUILD_DIR)/venv
PYTHON     := $(VENV)/bin/python

# v5.8.1: the newest that builds with Go 1.26 (v5.8.2 and later require Go 1.27).
KUSTOMIZE_VERSION := v5.8.1
KUSTOMIZE := $(BUILD_DIR)/tools/kustomize
VENV_K8S  := $(BUILD_DIR)/venv-k8s

# vegeta, bench/run's open-loop load generator, from the Go module proxy at a pinned version,
# built into the build tree (Go from PATH or /usr/local/go).
VEGETA_VERSION := v12.13.0
VEGETA := $(BUILD_DIR)/tools/vegeta-$(VEGETA_VERSION)/vegeta
GO := $(or $(shell command -v go),$(wildcard /usr/local/go/bin/go))
BENCH_ENV := BUILD_DIR=$(abspath $(BUILD_DIR)) VEGETA=$(abspath $(VEGETA))

# The clang flavours (fuzz/README.md): one ASan+UBSan build whose libraries also carry
# libFuzzer's coverage instrumentation (the C++ suites and the fuzz targets), and a TSan build
# of the suites with concurrency tests only.
SAN_DIR    := $(BUILD_DIR)-asan
# ccache normally adds the working folder to the key of a -g compilation (its hash_dir), so every
# clone in a new folder would compile the clang flavours from nothing; without it, a clone reuses
# another's objects, whose debug information then names that clone's paths.
export CCACHE_NOHASHDIR := 1
TSAN_DIR   := $(BUILD_DIR)-tsan
CLANG_ENV  := CC=clang CXX=clang++

.PHONY: all help deps build test bench test-asan venv psql db-reset db-start db-stop kafka-start kafka-stop logs \
        format clean up down stack-status e2e schemathesis web browser test-compose test-k8s bench-smoke \
        build-asan build-tsan test-fuzz test-tsan test-tsan-uninstrumented test-sanitizers tidy \
        test-faults

all: build

# Every target with the line above it that says what it does.
help:
	@echo "make build         compile everything into $(BUILD_DIR)/ (installs Debian packages first)"
	@echo "make test          every test, as CI runs it: unit, contract, integration, e2e, browser, k8s,"
	@echo "                   compose, sanitizers, fuzzing, clang-tidy"
	@echo "make up / down     the whole stack on this machine, on 127.0.0.1:8080 (README: Deployment)"
	@echo "make stack-status  which processes of the stack run"
	@echo "make logs          follow the log topic (LOGS_ARGS=\"--from-beginning ...\")"
	@echo "make psql          a psql shell on the stack's database; make db-reset empties it"
	@echo "make bench         the benchmarks with their baselines"
	@echo "make e2e           the black-box suite against a stack it starts and stops"
	@echo "make test-faults   the fault drill: processes killed, a slow and a black-holed dependency"
	@echo "make test-compose  compose.yaml and the images, built and run on podman"
	@echo "make test-k8s      deploy/k8s built with kustomize and validated offline"
	@echo "make test-asan     the tests under AddressSanitizer and UBSan"
	@echo "make test-tsan     the concurrency tests under ThreadSanitizer"
	@echo "make test-fuzz     each libFuzzer target of fuzz/ for 30 s"
	@echo "make tidy          clang-tidy over the sources (clean results cached, like ccache)"
	@echo "make format        clang-format the C++ sources"
	@echo "make clean         delete the build trees"

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR)
	@$(MAKE) --no-print-directory web

# The web face (web/, README "Web face"): the storefront and the API explorer, built into
# $(BUILD_DIR)/web, which the stack's nginx serves at /shop/ and /docs/. npm installs exactly
# web/package-lock.json (npm ci) into web/node_modules.
WEB_OUT     := $(BUILD_DIR)/web
WEB_SOURCES := $(shell find web/shop web/docs web/scripts -type f 2>/dev/null) \
               web/package.json web/tsconfig.json web/vite.config.ts

web/node_modules/.installed: web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_OUT)/.built: web/node_modules/.installed $(WEB_SOURCES)
	cd web && WEB_OUT_DIR=$(abspath $(WEB_OUT)) npm run --silent build
	touch $@

web: $(WEB_OUT)/.built

# The browser tests (web/tests) against a running stack (make up): its address and secrets
# from .run/stack.env; screenshots under $(BUILD_DIR)/browser.
browser: web
	@test -f .run/stack.env || { echo "make browser: no .run/stack.env; start the stack with make up" >&2; exit 1; }
	@set -a; . ./.run/stack.env; set +a; \
	  BROWSER_ARTIFACTS=$(abspath $(BUILD_DIR))/browser node web/tests/run.mjs $(BROWSER_ARGS)

# Python test tools live in a venv inside the build tree, pinned by tests/requirements.txt.
$(VENV)/.installed: tests/requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

venv: $(VENV)/.installed

# schemathesis in a venv of its own: its pinned dependencies differ from tests/requirements.txt.
ST_VENV := $(BUILD_DIR)/venv-schemathesis
$(ST_VENV)/.installed: tests/schemathesis/requirements.txt
	python3 -m venv $(ST_VENV)
	$(ST_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/schemathesis/requirements.txt
	touch $@

test: build venv
	ctest --test-dir $(BUILD_DIR) --output-on-failure --parallel 2
	$(PYTHON) -m pytest -q tests/contract tests/integration
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory test-faults
	@$(MAKE) --no-print-directory test-k8s
	@$(MAKE) --no-print-directory test-compose
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-fuzz
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory tidy

# compose.yaml and deploy/docker/Dockerfile on podman: a Debian 12 base from debootstrap (once a
# week), the images (layers and the builder's ccache cached from run to run), local stand-ins for
# postgres and Kafka, the stack brought up and a smoke path through its nginx, then torn down
# (tests/compose/run). Part of `make test`: about 1.5 min after a small change, 10 min when a new
# week's base rebuilds every image, 27 min cold.
test-compose: build venv
	BUILD_DIR=$(abspath $(BUILD_DIR)) PYTHON=$(abspath $(PYTHON)) tests/compose/run

# deploy/k8s offline: kustomize (from the Go module proxy, pinned) builds each overlay, and
# every object is checked against the Kubernetes and the operators' schemas (tests/k8s).
$(KUSTOMIZE):
	@command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || { echo "go not found: kustomize is built with Go" >&2; exit 1; }
	GOBIN=$(abspath $(BUILD_DIR)/tools) PATH="$$PATH:/usr/local/go/bin" go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(VENV_K8S)/.installed: tests/k8s/requirements.txt
	python3 -m venv $(VENV_K8S)
	$(VENV_K8S)/bin/python -m pip install --quiet --disable-pip-version-check -r tests/k8s/requirements.txt
	touch $@

test-k8s: $(KUSTOMIZE) $(VENV_K8S)/.installed
	KUSTOMIZE=$(abspath $(KUSTOMIZE)) $(VENV_K8S)/bin/python -m pytest -q -p no:cacheprovider tests/k8s

# The suites that need the whole stack, against one start of `make up`, which is stopped
# afterwards whatever the outcome (so `make test` also stops a stack you started yourself):
# the black-box suite (tests/e2e), the browser tests (make browser), schemathesis
# (tests/schemathesis, for SCHEMATHESIS_SECONDS), then the benchmark smoke (bench/run --smoke,
# no thresholds: it keeps `make bench` working).
SCHEMATHESIS_SECONDS ?= 150
e2e: build venv $(ST_VENV)/.installed $(VEGETA)
	@BUILD_DIR=$(abspath $(BUILD_DIR)) scripts/stack.sh up
	@status=0; \
	  $(PYTHON) -m pytest -q tests/e2e || status=$$?; \
	  $(MAKE) --no-print-directory browser || status=$$?; \
	  $(ST_VENV)/bin/python tests/schemathesis/run.py --python $(ST_VENV)/bin/python \
	    --max-time $(SCHEMATHESIS_SECONDS) --out $(BUILD_DIR)/schemathesis || status=$$?; \
	  $(BENCH_ENV) bench/run --smoke || status=$$?; \
	  scripts/stack.sh down; exit $$status

# The fault drill (tests/faults/README.md): mixed traffic through nginx while each process is
# SIGKILLed and restarted, then a slow and a black-holed dependency through TCP proxies; orders,
# stock and domain events checked after each phase. tests/faults/run starts the proxies and a
# stack of its own (stopping one that runs) and stops both whatever the outcome; about 3-4 min,
# at most FAULTS_TIMEOUT (480) s. One phase: make test-faults FAULTS_ARGS="--phase db".
test-faults: build venv
	@BUILD_DIR=$(abspath $(BUILD_DIR)) PYTHON=$(abspath $(PYTHON)) tests/faults/run $(FAULTS_ARGS)

# schemathesis alone against a running stack (make up).
schemathesis: $(ST_VENV)/.installed
	$(ST_VENV)/bin/python tests/schemathesis/run.py --python $(ST_VENV)/bin/python \
	  --max-time $(SCHEMATHESIS_SECONDS) --out $(BUILD_DIR)/schemathesis

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

# vegeta (see VEGETA_VERSION above).
$(VEGETA):
	@test -n "$(GO)" || { echo "go not found (needed to build vegeta for bench/run): install Go >= 1.22" >&2; exit 1; }
	GOBIN=$(abspath $(dir $(VEGETA))) GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
	  $(GO) install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)

$(SAN_DIR)/build.ninja:
	$(CLANG_ENV) cmake -S . -B $(SAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMERCH_SANITIZE=ON -DMERCH_FUZZ=ON

build-asan: deps $(SAN_DIR)/build.ninja
	cmake --build $(SAN_DIR)

# The C++ suites (ctest) under AddressSanitizer and UndefinedBehaviorSanitizer: any report
# fails its suite. Suppressions (third-party defects only) in tests/lsan.supp.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp
test-asan: build-asan
	$(SAN_ENV) ctest --test-dir $(SAN_DIR) --label-exclude fuzz --output-on-failure --parallel 2

# Every libFuzzer target of fuzz/ for MERCH_FUZZ_SECONDS (30 s) each, from its committed seeds.
test-fuzz: deps $(SAN_DIR)/build.ninja
	cmake --build $(SAN_DIR) --target merch_fuzz_targets
	$(SAN_ENV) ctest --test-dir $(SAN_DIR) --label-regex fuzz --output-on-failure --parallel 2

$(TSAN_DIR)/build.ninja:
	$(CLANG_ENV) cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMERCH_TSAN=ON

# Only the suites that test concurrency (ctest label "tsan"; see tests/tsan.supp).
build-tsan: deps $(TSAN_DIR)/build.ninja
	cmake --build $(TSAN_DIR) --target merch_tsan_suites

# ignore_noninstrumented_modules: Debian's gRPC, abseil, protobuf and libpq are not built with
# -fsanitize=thread, so TSan sees neither their accesses nor their locks, only their calls into
# its interceptors (memmove, malloc, ...), which it then reports as races with our code (it did,
# in every gRPC suite). With the flag it judges the calls of instrumented code only: a race
# between two accesses of our own code is still reported (fuzz/README.md).
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$(CURDIR)/tests/tsan.supp
test-tsan: build-tsan
	$(TSAN_ENV) ctest --test-dir $(TSAN_DIR) --label-regex '^tsan$$' --output-on-failure --parallel 2

# The shipper's end-to-end suite, whose test reads Kafka with librdkafka in-process: TSan crashes
# in its allocator on a librdkafka thread (root CMakeLists.txt), so it is not part of `make test`.
test-tsan-uninstrumented: build-tsan
	$(TSAN_ENV) ctest --test-dir $(TSAN_DIR) --label-regex '^tsan-uninstrumented$$' \
	  --output-on-failure --parallel 2

test-sanitizers: test-asan test-tsan

# clang-tidy over our own sources with the root .clang-tidy (scripts/tidy): zero warnings; a unit
# found clean is remembered in ~/.cache/merch-tidy by its preprocessed text. It
# reads the compile commands of the clang build.
tidy: build-asan
	scripts/tidy $(SAN_DIR)

# The private PostgreSQL under .run/postgres (port PG_PORT, default 15432).
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
	rm -rf $(BUILD_DIR) $(SAN_DIR) $(TSAN_DIR)
