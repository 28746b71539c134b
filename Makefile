# A thin wrapper over meson, as in PipeWire's own tree.
# `make demo` and `make test` install what is missing first (Debian 12 or 13;
# PM_PIPEWIRE=1.6: PipeWire 1.6 from trixie-backports, Debian 13 only).

BUILDDIR ?= build
MESON ?= meson

all: build

deps:
	@./tools/install-deps.sh

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR)

build: deps $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)

# make test: the unit and integration tests, the fuzzers, the sanitized
# build's tests and the PipeWire 1.6 leg, then one summary line
# (tools/run-tests.sh says how; TESTARGS: only these tests of BUILDDIR).
FUZZ_BUILDDIR ?= $(BUILDDIR)/fuzz
ASAN_BUILDDIR ?= $(BUILDDIR)-asan
ASAN_QUICK ?= dbus-api module-options three-enforcers module-unload wp-runtime-load \
	fail-closed unguarded speech capture-log desktop
ASAN_BUILD = { [ -f $(ASAN_BUILDDIR)/build.ninja ] || \
	$(MESON) setup $(ASAN_BUILDDIR) -Db_sanitize=address,undefined; } && \
	$(MESON) compile -C $(ASAN_BUILDDIR)
# the Debian 13 + PipeWire 1.6 leg: auto (where it can run), 0 never, 1 always
PW16_TESTS ?= capture-paths mute-live fail-closed wp-hosted pulse-hosted formats hostile-shm \
	mislabel missing-enforcer reliable
PW16_LEG ?= auto

test: build
	@MESON="$(MESON)" BUILDDIR="$(BUILDDIR)" FUZZ_BUILDDIR="$(FUZZ_BUILDDIR)" \
		ASAN_BUILDDIR="$(ASAN_BUILDDIR)" ASAN_QUICK="$(ASAN_QUICK)" TESTARGS="$(TESTARGS)" \
		PW16_LEG="$(PW16_LEG)" PW16_TESTS="$(PW16_TESTS)" ./tools/run-tests.sh

# Everything built with ASan and UBSan, every test of it run; the
# daemons get the ASan runtime preloaded (tests/integration/lib.sh).
test-asan: deps
	@$(ASAN_BUILD)
	@rm -f $(ASAN_BUILDDIR)/meson-logs/testlog.json; \
	$(MESON) test -C $(ASAN_BUILDDIR) --no-rebuild --print-errorlogs --num-processes 1 --timeout-multiplier 3 $(TESTARGS); \
	./tools/test-summary.sh $(ASAN_BUILDDIR)

# The suite (TESTARGS: only these) on each PipeWire supported, one leg
# each: this machine, and a Debian 13 root with PipeWire 1.6 from
# trixie-backports, built once under PM_MATRIX_DIR (/var/tmp/pm-matrix).
# Root; tools/test-matrix.sh says more.
test-matrix:
	@./tools/test-matrix.sh

demo: build
	@./tools/demo.sh $(BUILDDIR)

# the benchmark (BENCHMARKS.md): ~15 min; writes results/ and rewrites the
# results section of BENCHMARKS.md and docs/bench-overhead.png
bench: build
	@./bench/bench.sh $(BUILDDIR) results && \
	python3 bench/report.py results --update BENCHMARKS.md

install: build
	$(MESON) install -C $(BUILDDIR)

clean:
	rm -rf $(BUILDDIR) $(ASAN_BUILDDIR)

.PHONY: all deps build test test-asan test-matrix demo bench install clean
