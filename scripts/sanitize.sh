#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build lvperf with AddressSanitizer and UndefinedBehaviorSanitizer in its
# own build directory and run there the unit suite and the core of the
# integration suite (ping, beacon, http, kv, run_resume, cleanup). Any
# sanitizer report fails the test it happens in. Ends with the time taken.
#   bash scripts/sanitize.sh          (LVP_ASAN_BUILD=dir, default build-asan)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bd=${LVP_ASAN_BUILD:-$root/build-asan}
start=$(date +%s)
if [ ! -f "$bd/build.ninja" ]; then
	meson setup "$bd" "$root" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false \
		>"$bd.setup.log" 2>&1 || { cat "$bd.setup.log" >&2; exit 1; }
fi
nice -n 10 ninja -C "$bd" >/dev/null
# Abort on the first report of either, with its stack; the leak check
# stays on (a unit test that leaks fails).
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
rc=0
# sanitized code runs 2-3 times slower: the timeouts scale with it
meson test -C "$bd" --timeout-multiplier 3 --suite unit --print-errorlogs || rc=1
meson test -C "$bd" --timeout-multiplier 3 --print-errorlogs integration_ping_af_xdp integration_beacon_native \
	integration_http_af_xdp integration_kv integration_run_resume integration_cleanup || rc=1
echo "sanitize: $([ $rc = 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
exit $rc
