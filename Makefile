# A thin wrapper over meson, as in PipeWire's own tree.
# `make demo` and `make test` install what is missing first (Debian 12).

BUILDDIR ?= build
MESON ?= meson

all: build

deps:
	@./tools/install-deps.sh

$(BUILDDIR)/build.ninja:
	$(MESON) setup $(BUILDDIR)

build: deps $(BUILDDIR)/build.ninja
	$(MESON) compile -C $(BUILDDIR)

test: build
	@$(MESON) test -C $(BUILDDIR) --print-errorlogs --num-processes 1 $(TESTARGS); \
	./tools/test-summary.sh $(BUILDDIR)

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
	rm -rf $(BUILDDIR)

.PHONY: all deps build test demo bench install clean
