# The two commands of the README:
#   make run    install what is missing, build, index corpus/ and search it
#   make test   the same set-up, then the whole test suite
#   make bench  the benchmarks of bench/ (minutes; BENCH_ARGS=--quick or --smoke)
#   make install [PREFIX=/usr/local] [DESTDIR=...], make uninstall, make deb
# Everything else is CMake (CMakeLists.txt); this file only drives it.

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
ifeq ($(CI),true)
CMAKE_FLAGS += -DBIDX_WERROR=ON
endif

# Debian packages the build and the tests need.
DEB_PKGS = gcc make cmake pkg-config libmecab-dev mecab mecab-ipadic mecab-ipadic-utf8 mecab-utils \
           libxxhash-dev libzstd-dev libutf8proc-dev libcriterion-dev \
           libxml2-dev libzip-dev libpoppler-glib-dev poppler-data \
           clang libclang-rt-14-dev valgrind dpkg-dev man-db \
           libmicrohttpd-dev curl chromium python3 jq

.PHONY: all run test valgrind deps build clean bench install uninstall deb

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

# make test: (1) the suite on the normal build, (2) the same suite again with
# BIDX_NO_SHARED=1, as on a plain clone without the shared corpora, (3) the
# whole suite again under AddressSanitizer + UBSan, (4) the libFuzzer
# targets, built with clang, each run for FUZZ_SECONDS from seeds made of a
# real index.
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD) && BIDX_NO_SHARED=1 ctest --output-on-failure -j $(JOBS)
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBIDX_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBIDX_SANITIZE=ON \
	    -DBIDX_FUZZ=ON -DBIDX_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS) -L fuzz

# Every test but the long index builds (recall, durability, crash, facts,
# snippet, incremental) under valgrind, with the bidx and bsearch processes
# the golden tests start (not part of make test: see README, Tests).
VALGRIND_TESTS ?= test_codecs|test_invert|test_normalize|test_postings|test_query_parse|test_rank|test_termdict|test_seeds|test_encodings|test_check|test_date|test_rows|test_tokenize|test_hostile|test_fields|test_notice|test_synonyms|test_variants|test_userdic
valgrind: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -R '^($(VALGRIND_TESTS))$$' \
	    --overwrite MemoryCheckCommand=$$(command -v valgrind) \
	    --overwrite MemoryCheckCommandOptions="--error-exitcode=1 --suppressions=$(CURDIR)/tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite --trace-children=yes --trace-children-skip=*/rm,*/cp,*/iconv,*/sed,*/sort,*/tr,*/chmod,*/setpriv" \
	    -T memcheck

BENCH_ARGS ?=
bench: build
	BUILD=$(BUILD) bash bench/run.sh $(BENCH_ARGS)

# The programs, libbidx (lib/, include/bidx.h, lib/pkgconfig/bidx.pc),
# share/bidx (user dictionary, synonyms), man pages and bash completion
# under PREFIX; DESTDIR stages them elsewhere (packaging).  A real install
# as root refreshes the linker's cache, so programs find libbidx.so.N.
PREFIX ?= /usr/local
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)
	cp $(BUILD)/install_manifest.txt $(BUILD)/installed-files.txt
	-@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

# Removes what the last `make install` wrote (its list: installed-files.txt).
uninstall:
	@test -f $(BUILD)/installed-files.txt || { echo "nothing installed from $(BUILD)"; exit 1; }
	sed 's|^|$(DESTDIR)|' $(BUILD)/installed-files.txt | xargs -d '\n' rm -f --
	-rmdir $(DESTDIR)$(PREFIX)/share/bidx 2>/dev/null
	rm -f $(BUILD)/installed-files.txt

# A Debian package of the same tree (prefix /usr), dependencies from
# dpkg-shlibdeps: build/bidx_VERSION_ARCH.deb
deb: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
