#!/bin/bash
# make test: the whole suite, in this order, with one summary line at the end.
#   1. the unit and integration tests of BUILDDIR (meson, one at a time)
#   2. the fuzzers (tools/run-fuzz.sh in FUZZ_BUILDDIR, FUZZ_SECONDS each)
#   3. built with ASan and UBSan in ASAN_BUILDDIR: the unit tests and the
#      integration tests ASAN_QUICK
#   4. the Debian 13 + PipeWire 1.6 leg of tools/test-matrix.sh with
#      PW16_TESTS, wherever it can run (root on Debian 12 or 13); its root
#      is prepared in the background, niced, while 1-3 run. PW16_LEG=0:
#      never, 1: always (failing where it cannot), auto (default).
#   5. tools/test-summary.sh over every run: "N passed, N failed"; the exit
#      status is non-zero when any test failed or a run did not happen.
# With TESTARGS only those tests of BUILDDIR run, then the summary.
# The Makefile passes its variables in the environment.
set -u
cd "$(dirname "$0")/.."
MESON=${MESON:-meson}
BUILDDIR=${BUILDDIR:-build}
FUZZ_BUILDDIR=${FUZZ_BUILDDIR:-$BUILDDIR/fuzz}
ASAN_BUILDDIR=${ASAN_BUILDDIR:-$BUILDDIR-asan}
ASAN_QUICK=${ASAN_QUICK:-}
PW16_LEG=${PW16_LEG:-auto}
PW16_TESTS=${PW16_TESTS:-}
PW16_DIR=${PM_MATRIX_DIR:-/var/tmp/pm-matrix}

if [ -n "${TESTARGS:-}" ]; then
	$MESON test -C "$BUILDDIR" --print-errorlogs --num-processes 1 $TESTARGS
	exec ./tools/test-summary.sh "$BUILDDIR"
fi

leg=$PW16_LEG
if [ "$leg" = auto ]; then
	if ./tools/test-matrix.sh can-run; then leg=1; else leg=0; fi
fi
if [ "$leg" = 1 ]; then
	echo "make test: preparing the Debian 13 + PipeWire 1.6 root in the background" \
		"(log: $BUILDDIR/pw16-prepare.log)"
	./tools/test-matrix.sh prepare > "$BUILDDIR/pw16-prepare.log" 2>&1 &
	prep=$!
fi

logs=("$FUZZ_BUILDDIR/meson-logs/testlog.json" "$ASAN_BUILDDIR/meson-logs/testlog.json"
	"$ASAN_BUILDDIR/meson-logs/unitlog.json")
rm -f "${logs[@]}"
$MESON test -C "$BUILDDIR" --print-errorlogs --num-processes 1
./tools/run-fuzz.sh "$FUZZ_BUILDDIR"
if { [ -f "$ASAN_BUILDDIR/build.ninja" ] ||
		$MESON setup "$ASAN_BUILDDIR" -Db_sanitize=address,undefined; } &&
		$MESON compile -C "$ASAN_BUILDDIR"; then
	$MESON test -C "$ASAN_BUILDDIR" --no-rebuild --print-errorlogs --logbase unitlog --suite unit
	$MESON test -C "$ASAN_BUILDDIR" --no-rebuild --print-errorlogs --num-processes 1 \
		--timeout-multiplier 3 $ASAN_QUICK
fi

if [ "$leg" = 1 ]; then
	wait "$prep" || { echo "make test: preparing the Debian 13 root failed:"
		tail -n 20 "$BUILDDIR/pw16-prepare.log"; }
	TESTARGS="$PW16_TESTS" ./tools/test-matrix.sh debian13-pw1.6
	logs+=("$PW16_DIR/logs/debian13-pw1.6.json")
else
	echo "make test: the PipeWire 1.6 leg was NOT run (PW16_LEG=$PW16_LEG); host only"
fi
exec ./tools/test-summary.sh "$BUILDDIR" "${logs[@]}"
