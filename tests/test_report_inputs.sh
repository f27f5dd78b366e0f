#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lvperf report on a run directory from someone else runs nothing (issue
# 17): a target name holding a newline and a gnuplot `system` line is
# refused on read, and a name holding quotes reaches the gnuplot script
# only as a quoted string. No root, no DPDK.
#   LVPERF=build/lvperf LVP_FIXTURES=tests/fixtures tests/test_report_inputs.sh
set -euo pipefail

LVPERF=${LVPERF:-build/lvperf}
FIX=${LVP_FIXTURES:-$(dirname "$0")/fixtures}
tmp=$(mktemp -d /tmp/lvpreportin.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

if ! command -v gnuplot >/dev/null; then
	echo "SKIP: gnuplot is not installed (apt-get install gnuplot-nox; scripts/setup.sh does)"
	exit 77
fi

# run DIR NAME: the fixture run with every "native" target renamed NAME.
run() {
	cp -r "$FIX/report_run" "$1"
	python3 - "$1/raw/points.jsonl" "$2" <<'PY'
import json, sys
path, name = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
out = []
for l in lines:
    try:
        o = json.loads(l)
    except ValueError:
        out.append(l)  # the cut-short last line stays as it is
        continue
    if o.get("target") == "native":
        o["target"] = name
    out.append(json.dumps(o))
open(path, "w").write("\n".join(out))
PY
}

# 1. The issue's case: a newline, then a gnuplot command.
run "$tmp/a" "native
system \"touch $tmp/pwned\"
#"
rc=0
(cd "$tmp" && "$LVPERF" report "$tmp/a") >/dev/null 2>"$tmp/err" || rc=$?
[ ! -e "$tmp/pwned" ] || fail "gnuplot ran a command from a target name"
[ "$rc" != 0 ] || fail "a target name with a newline was accepted"
grep -q "control character" "$tmp/err" || { cat "$tmp/err" >&2; fail "no clear error for a control character in a name"; }

# 2. Quotes of both kinds: the report is drawn, the name is in the
#    script only inside a gnuplot string, and nothing runs.
run "$tmp/b" "nat'; system 'touch $tmp/pwned2'; x=\"\"\" '"
(cd "$tmp" && "$LVPERF" report "$tmp/b") >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "lvperf report exited $?"; }
[ ! -e "$tmp/pwned2" ] || fail "gnuplot ran a command from a quoted target name"
grep -q "'nat''; system ''touch" "$tmp/b/report/fig4_http.gp" || fail "the name is not quoted in fig4_http.gp"
[ -s "$tmp/b/report/fig4_http.svg" ] || fail "fig4_http.svg not drawn"
echo "ok: report inputs"
