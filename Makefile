# SUSTech Merch Store. `make test` builds and runs every test; see README.md.
BUILD_DIR  ?= build
BUILD_TYPE ?= Release
VENV       := $(BUILD_DIR)/venv
PYTHON     := $(VENV)/bin/python

# v5.8.1: the newest that builds with Go 1.26 (v5.8.2 and later require Go 1.27).
KUSTOMIZE_VERSION := v5.8.1
KUSTOMIZE := $(BUILD_DIR)/tools/kustomize
VENV_K8S  := $(BUILD_DIR)/venv-k8s

.PHONY: all help deps build test bench test-asan venv psql db-reset db-start db-stop kafka-start kafka-stop logs \
        format clean up down stack-status e2e test-compose test-k8s

all: build

# Every target with the line above it that says what it does.
help:
	@echo "make build         compile everything into $(BUILD_DIR)/ (installs Debian packages first)"
	@echo "make test          every test, as CI runs it: unit, contract, integration, e2e, compose, k8s"
	@echo "make up / down     the whole stack on this machine, on 127.0.0.1:8080 (README: Deployment)"
	@echo "make stack-status  which processes of the stack run"
	@echo "make logs          follow the log topic (LOGS_ARGS=\"--from-beginning ...\")"
	@echo "make psql          a psql shell on the stack's database; make db-reset empties it"
	@echo "make bench         the benchmarks with their baselines"
	@echo "make e2e           the black-box suite against a stack it starts and stops"
	@echo "make test-compose  compose.yaml and the images, built and run on podman"
	@echo "make test-k8s      deploy/k8s built with kustomize and validated offline"
	@echo "make test-asan     the tests under AddressSanitizer and UBSan"
	@echo "make format        clang-format the C++ sources"
	@echo "make clean         delete the build trees"

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
	@$(MAKE) --no-print-directory test-k8s

# compose.yaml and deploy/docker/Dockerfile on podman: a Debian 12 base from debootstrap, the
# images (the builder reuses this build's ccache), local stand-ins for postgres and Kafka, the
# stack brought up and a smoke path through its nginx (tests/compose/run). Not yet part of
# `make test`: it has not completed a run on this machine yet (see the branch's report).
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
