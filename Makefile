# SUSTech Merch Store. `make test` builds and runs every test; see README.md.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
VENV       := $(BUILD_DIR)/venv
PYTHON     := $(VENV)/bin/python

# The clang flavours (fuzz/README.md): one ASan+UBSan build whose libraries also carry
# libFuzzer's coverage instrumentation (the C++ suites and the fuzz targets), and a TSan build
# of the suites with concurrency tests only.
SAN_DIR    := $(BUILD_DIR)-asan
TSAN_DIR   := $(BUILD_DIR)-tsan
CLANG_ENV  := CC=clang CXX=clang++

.PHONY: all deps build test bench test-asan venv psql db-reset db-start db-stop kafka-start kafka-stop logs format clean \
        up down stack-status e2e build-asan build-tsan test-fuzz test-tsan test-sanitizers tidy

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
	@$(MAKE) --no-print-directory test-fuzz

# The black-box suite (tests/e2e) against the stack of `make up`, which is stopped afterwards
# whatever the outcome (so `make test` also stops a stack you started yourself).
e2e: build venv
	@BUILD_DIR=$(abspath $(BUILD_DIR)) scripts/stack.sh up
	@status=0; $(PYTHON) -m pytest -q tests/e2e || status=$$?; scripts/stack.sh down; exit $$status

# The whole stack in the background (scripts/stack.sh): PostgreSQL, Kafka, merch-db,
# merch-logging, two api replicas and nginx on :8080; returns once /readyz answers 200 on each
# replica and through nginx. Logs and pid files under .run/, settings for clients in .run/stack.env.
up: build
	@BUILD_DIR=$(abspath $(BUILD_DIR)) scripts/stack.sh up

down:
	@scripts/stack.sh down

stack-status:
	@scripts/stack.sh status

# Benchmarks with their baselines measured in the same run (bench/run).
bench: build
	bench/run

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

test-tsan: build-tsan
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  ctest --test-dir $(TSAN_DIR) --label-regex tsan --output-on-failure --parallel 2

test-sanitizers: test-asan test-tsan

# clang-tidy over our own sources with the root .clang-tidy (scripts/tidy): zero warnings. It
# reads the compile commands of the clang build.
tidy: build-asan
	scripts/tidy $(SAN_DIR)

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
	rm -rf $(BUILD_DIR) $(SAN_DIR) $(TSAN_DIR)
