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
# quiet when it works, the whole output when it does not
quiet() {
	out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; echo "run-fuzz: failed: $*" >&2; exit 1; }
}
if [ -f "$dir/build.ninja" ]; then
	quiet meson configure "$dir" -Dfuzz-seconds="$secs"
else
	CC=clang quiet meson setup "$dir" "$src" -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dfuzz-seconds="$secs"
fi
# only the fuzzers (every program of the suite "fuzz"): the rest of this
# build is not needed here
targets=$(meson introspect "$dir" --tests | python3 -c '
import json, os, sys
d = os.path.abspath(sys.argv[1])
for t in json.load(sys.stdin):
    if any(s.split(":")[-1] == "fuzz" for s in t["suite"]):
        print(os.path.relpath(t["cmd"][0], d))' "$dir")
[ -n "$targets" ] || { echo "run-fuzz: no fuzz target in $dir" >&2; exit 1; }
quiet meson compile -C "$dir" $targets
exec meson test -C "$dir" --no-rebuild --suite fuzz --num-processes 2 --print-errorlogs
