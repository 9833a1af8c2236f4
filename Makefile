# The front door. Every target installs what is missing first (scripts/install-deps.sh).
#   make demo    build and run the demo on a fresh data folder (./demo-data)
#   make test    build and run every test (ctest)
#   make bench   build and run the benchmarks; results in bench/RESULTS.md
#   make asan    build and run the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make format  clang-format the sources
#   make package build the release preset and its Debian package (build/release/avtaleflyt_*.deb)
PRESET ?= dev
JOBS ?= 2

.PHONY: deps build test demo bench asan format package clean

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	@ctest --preset $(PRESET)

demo: build
	@./scripts/demo.sh build/$(PRESET)/apps/cli/avtaleflyt

bench:
	@./scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory build PRESET=release
	@./scripts/bench.sh build/release

asan:
	@$(MAKE) --no-print-directory test PRESET=asan

format:
	@./scripts/format.sh

package:
	@$(MAKE) --no-print-directory build PRESET=release
	@cd build/release && cpack -G DEB

clean:
	rm -rf build demo-data
