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

# make test: the unit and integration tests (TESTARGS: only these, nothing
# more), then the fuzzers (tools/run-fuzz.sh, FUZZ_SECONDS each), built
# with ASan and UBSan the unit tests and the integration tests ASAN_QUICK,
# and the PipeWire 1.6 leg (below); the last line counts every test of
# every run.
FUZZ_BUILDDIR ?= $(BUILDDIR)/fuzz
ASAN_BUILDDIR ?= $(BUILDDIR)-asan
ASAN_QUICK ?= dbus-api module-options three-enforcers module-unload wp-runtime-load \
	fail-closed unguarded speech capture-log desktop
ASAN_BUILD = { [ -f $(ASAN_BUILDDIR)/build.ninja ] || \
	$(MESON) setup $(ASAN_BUILDDIR) -Db_sanitize=address,undefined; } && \
	$(MESON) compile -C $(ASAN_BUILDDIR)
LOGS = $(FUZZ_BUILDDIR)/meson-logs/testlog.json $(ASAN_BUILDDIR)/meson-logs/testlog.json \
	$(ASAN_BUILDDIR)/meson-logs/unitlog.json

# The Debian 13 + PipeWire 1.6 leg of test-matrix with PW16_TESTS runs after
# the host suite wherever it can (root on Debian 12 or 13; PW16_LEG=0: never,
# PW16_LEG=1: always, failing where it cannot). Its root is built and its
# packages installed in the background (niced) while the host suite runs.
# The summary line counts the leg's tests too; a leg that cannot run is said.
PW16_TESTS ?= capture-paths mute-live fail-closed wp-hosted pulse-hosted formats hostile-shm \
	mislabel missing-enforcer reliable
PW16_LEG ?= auto
PW16_DIR = $(or $(PM_MATRIX_DIR),/var/tmp/pm-matrix)

test: build
	@if [ -n "$(TESTARGS)" ]; then \
		$(MESON) test -C $(BUILDDIR) --print-errorlogs --num-processes 1 $(TESTARGS); \
		./tools/test-summary.sh $(BUILDDIR); \
		exit $$?; \
	fi; \
	leg=$(PW16_LEG); \
	if [ "$$leg" = auto ]; then \
		if ./tools/test-matrix.sh can-run; then leg=1; else leg=0; fi; \
	fi; \
	if [ "$$leg" = 1 ]; then \
		echo "make test: preparing the Debian 13 + PipeWire 1.6 root in the background" \
			"(log: $(BUILDDIR)/pw16-prepare.log)"; \
		./tools/test-matrix.sh prepare > $(BUILDDIR)/pw16-prepare.log 2>&1 & prep=$$!; \
	fi; \
	rm -f $(LOGS); \
	$(MESON) test -C $(BUILDDIR) --print-errorlogs --num-processes 1; \
	./tools/run-fuzz.sh $(FUZZ_BUILDDIR); \
	if $(ASAN_BUILD); then \
		$(MESON) test -C $(ASAN_BUILDDIR) --no-rebuild --print-errorlogs \
			--logbase unitlog --suite unit; \
		$(MESON) test -C $(ASAN_BUILDDIR) --no-rebuild --print-errorlogs \
			--num-processes 1 --timeout-multiplier 3 $(ASAN_QUICK); \
	fi; \
	legs=""; \
	if [ "$$leg" = 1 ]; then \
		wait $$prep || { echo "make test: preparing the Debian 13 root failed:"; \
			tail -n 20 $(BUILDDIR)/pw16-prepare.log; }; \
		TESTARGS="$(PW16_TESTS)" ./tools/test-matrix.sh debian13-pw1.6; \
		legs=$(PW16_DIR)/logs/debian13-pw1.6.json; \
	else \
		echo "make test: the PipeWire 1.6 leg was NOT run (PW16_LEG=$(PW16_LEG)); host only"; \
	fi; \
	./tools/test-summary.sh $(BUILDDIR) $(LOGS) $$legs

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
