#!/bin/sh
# Print "N passed, N failed" from meson's test log and exit non-zero when
# any test failed (or none ran).
log="${1:-build}/meson-logs/testlog.json"
if [ ! -s "$log" ]; then
	echo "0 passed, 1 failed"
	echo "test-summary: no test log at $log" >&2
	exit 1
fi
python3 - "$log" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
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
