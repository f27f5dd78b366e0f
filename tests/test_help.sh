#!/usr/bin/env bash
# Every command and subcommand's help (lvperf help --list names them) in
# each of its spellings: exit 0, something on stdout, nothing on stderr.
# Also lvperf -h/--help/help, --version, and short options in the usage.
# With DOC (docs/commands.md), its option tables must be the code's
# (scripts/docs-options.sh prints them). Needs no root: help never touches the dataplane.
# Usage: test_help.sh LVPERF [DOC]
set -u
lvperf=$1
doc=${2:-}
tmp=$(mktemp -d /tmp/lvp-help.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0 checked=0

check() { # check ARGS...: one help invocation
	local rc
	"$lvperf" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	checked=$((checked + 1))
	if [ $rc -ne 0 ] || [ ! -s "$tmp/out" ] || [ -s "$tmp/err" ]; then
		echo "FAIL: lvperf $*: exit $rc, $(wc -c <"$tmp/out") bytes on stdout, stderr: $(head -c 300 "$tmp/err")"
		fails=$((fails + 1))
	fi
}

check -h
check --help
check help
check --version
grep -Eq '^lvperf [^ ]+ \(git [^;)]+; build [a-z]+, (lto|no lto)(, worker probe)?\)$' "$tmp/out" || { echo "FAIL: --version: $(cat "$tmp/out")"; fails=$((fails + 1)); }

"$lvperf" help --list >"$tmp/list" || { echo "FAIL: lvperf help --list"; exit 1; }
n=$(wc -l <"$tmp/list")
[ "$n" -ge 15 ] || { echo "FAIL: help --list names $n commands"; fails=$((fails + 1)); }
while read -r -a cmd; do
	check "${cmd[@]}" -h
	check "${cmd[@]}" --help
	check help "${cmd[@]}"
	# No long option twice: the parser takes the first, so the second is
	# unreachable (http had --host for the host VM and the Host header).
	dup=$("$lvperf" "${cmd[@]}" -h 2>/dev/null | grep -oE '^  (-[a-zA-Z], )?--[a-z0-9-]+' | sed 's/.*--/--/' | sort | uniq -d)
	[ -z "$dup" ] || { echo "FAIL: lvperf ${cmd[*]} -h lists $(echo $dup) twice"; fails=$((fails + 1)); }
done <"$tmp/list"
# Every command in lvperf --help's table is in the list, and back.
"$lvperf" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | sort >"$tmp/table"
grep -v ' ' "$tmp/list" | sort | diff -u "$tmp/table" - || { echo "FAIL: help --list and --help differ"; fails=$((fails + 1)); }

# The shared short options show in the usage of the commands that have them.
"$lvperf" http --help | grep -Eq -- '-c, --connections' || { echo "FAIL: http -c"; fails=$((fails + 1)); }
"$lvperf" ping --help | grep -Eq -- '-n, --count' || { echo "FAIL: ping -n"; fails=$((fails + 1)); }
"$lvperf" boot --help | grep -Eq -- '-n, --repeat' || { echo "FAIL: boot -n"; fails=$((fails + 1)); }
# An unknown short option and an unknown command are errors on stderr.
if "$lvperf" ping -Z >/dev/null 2>&1; then echo "FAIL: ping -Z accepted"; fails=$((fails + 1)); fi
if "$lvperf" nosuchcommand >/dev/null 2>&1; then echo "FAIL: unknown command accepted"; fails=$((fails + 1)); fi

if [ -n "$doc" ]; then
	gen=$(dirname "$doc")/../scripts/docs-options.sh
	bash "$gen" "$lvperf" >"$tmp/options.md" || { echo "FAIL: $gen"; fails=$((fails + 1)); }
	awk '/^## Options of every command$/ { on = 1 } on' "$doc" | diff -u - "$tmp/options.md" >"$tmp/options.diff" || {
		head -40 "$tmp/options.diff"
		echo "FAIL: $doc's option tables differ from the code's: run scripts/docs-options.sh build/lvperf --write"
		fails=$((fails + 1))
	}
fi

echo "$checked help invocations, $fails failed"
[ $fails -eq 0 ]
