#!/usr/bin/env bash
# Set up, then run the unit and integration suites. Ends with one line
# "N passed, N failed, N skipped" (CI reads its "N passed, N failed"
# prefix); exits non-zero when a test failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
cd "$root"
rc=0
meson test -C build --suite unit --suite integration --print-errorlogs "$@" || rc=$?
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
