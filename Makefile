# The front door. Every target installs what is missing first (scripts/install-deps.sh).
#   make demo    build and run the demo on a fresh data folder (./demo-data)
#   make test    build and run every test (ctest); with the dev preset also the fuzz tests
#                (the fuzz preset: each libFuzzer harness over its corpus, then 20 s of fuzzing);
#                among them the quick crash tests (3 trials
#                each of kill -9 during send, outbox send to a maildir and to SMTP, archive and
#                serve: crash_tests) and the pairwise concurrency tests (mail_tests "[pairwise]")
#   make crashtest  the crash tests at full length: CRASH_TRIALS (default 200) trials of each
#                scenario, then a table (scenario, trials, lost, duplicated cases, duplicated mails
#                (at-least-once), half-written packages, log/audit failures); CRASH_RESULTS=FILE
#                also writes it there (bench/RESULTS-crash.md). See docs/developer-guide.md.
#   make bench   build and run the benchmarks; results in bench/RESULTS.md
#   make asan    build and run the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz    run every libFuzzer harness long (FUZZ_SECONDS each, default 600, or FUZZ_RUNS
#                inputs; FUZZ_JOBS at once) and print executions and findings per harness
#   make format  clang-format the sources
#   make package build the release preset and its Debian package (build/release/avtaleflyt_*.deb)
PRESET ?= dev
JOBS ?= 2

.PHONY: deps build test fuzz-build fuzz-test fuzz crashtest demo bench asan format package clean

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

test: build
	@ctest --preset $(PRESET)
ifeq ($(PRESET),dev)
	@$(MAKE) --no-print-directory fuzz-test
endif

fuzz-build: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

fuzz-test: fuzz-build
	@ctest --preset fuzz

fuzz: fuzz-build
	@./scripts/fuzz.sh build/fuzz

crashtest: build
	@./scripts/crashtest.sh build/$(PRESET)

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
