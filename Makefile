# The two commands of the README:
#   make run    install what is missing, build, index corpus/ and search it
#   make test   the same set-up, then the whole test suite
#   make bench  the benchmarks of bench/ (minutes; BENCH_ARGS=--quick or --smoke)
# Everything else is CMake (CMakeLists.txt); this file only drives it.

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DBIDX_WERROR=ON
endif

# Debian packages the build and the tests need.
DEB_PKGS = gcc make cmake pkg-config libmecab-dev mecab-ipadic-utf8 \
           libxxhash-dev libzstd-dev libutf8proc-dev libcriterion-dev

.PHONY: all run test deps build clean bench

all: build

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/bidx build -i $(BUILD)/index corpus/
	./$(BUILD)/bsearch -i $(BUILD)/index -n 5 クレジットカード

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

BENCH_ARGS ?=
bench: build
	BUILD=$(BUILD) bash bench/run.sh $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)
