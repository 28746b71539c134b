#!/bin/sh
# Print "N passed, N failed" over one or more meson test logs and exit
# non-zero when any test failed, or none ran. Each argument is a build dir
# (its meson-logs/testlog.json) or a log file; a missing or empty log
# counts as one failure (that run did not happen).
#   tools/test-summary.sh [BUILDDIR|LOG.json]...     (default: build)
[ $# -gt 0 ] || set -- build
python3 - "$@" <<'PY'
import json, os, sys
passed = failed = skipped = 0
for arg in sys.argv[1:]:
    log = arg if arg.endswith(".json") else os.path.join(arg, "meson-logs", "testlog.json")
    try:
        lines = [l for l in open(log) if l.strip()]
    except OSError:
        lines = []
    if not lines:
        print(f"test-summary: no test log at {log}", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        r = json.loads(line).get("result", "")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
out = f"{passed} passed, {failed} failed"
if skipped:
    out += f", {skipped} skipped"
print(out)
sys.exit(1 if failed or passed == 0 else 0)
PY
