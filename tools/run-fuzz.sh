#!/bin/sh
# Build the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan in their
# own build dir, and run each for FUZZ_SECONDS (default 25) as meson tests of
# the suite "fuzz", two at a time. New inputs are kept in
# BUILDDIR/tests/fuzz/corpus/<target>, crashes in BUILDDIR/tests/fuzz/artifacts.
#   tools/run-fuzz.sh [BUILDDIR]              (default: build/fuzz)
#   FUZZ_SECONDS=600 tools/run-fuzz.sh        a longer run
# The summary is in BUILDDIR/meson-logs/testlog.json (tools/test-summary.sh).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build/fuzz}
secs=${FUZZ_SECONDS:-25}

if ! command -v clang >/dev/null; then
	echo "run-fuzz: clang is missing (tools/install-deps.sh installs it)" >&2
	exit 1
fi
if [ -f "$dir/build.ninja" ]; then
	meson configure "$dir" -Dfuzz-seconds="$secs" >/dev/null
else
	CC=clang meson setup "$dir" "$src" -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dfuzz-seconds="$secs" >/dev/null
fi
# only the fuzzers: the rest of this build is not needed here
meson compile -C "$dir" tests/fuzz/fuzz-state tests/fuzz/fuzz-options tests/fuzz/fuzz-capture-log \
	tests/fuzz/fuzz-policy-args tests/fuzz/fuzz-status >/dev/null
exec meson test -C "$dir" --no-rebuild --suite fuzz --num-processes 2 --print-errorlogs
