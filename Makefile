# Podvisor's front door. `make up` runs the main job; `make test` runs the whole suite.
# Both install what is missing first (as root; see scripts/install-deps.sh).

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# ctest parallelism; integration tests serialize themselves with resource locks.
TEST_JOBS ?= 2
CMAKE_FLAGS ?=
CTEST_FLAGS ?=
UP_FLAGS ?=
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: up test deps configure build clean fuzz help

help:
	@echo "make up     install what is missing, build, run Podvisor (see README.md)"
	@echo "make test   install what is missing, build, run the whole test suite with ctest"
	@echo "make build  configure and build only"
	@echo "make clean  remove $(BUILD_DIR)"

deps:
	@$(SUDO) scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

up: build
	@$(BUILD_DIR)/bin/podvisor up --data-dir $(BUILD_DIR)/podvisor-data $(UP_FLAGS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(TEST_JOBS) $(CTEST_FLAGS)

clean:
	@rm -rf $(BUILD_DIR)
