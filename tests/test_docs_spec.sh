#!/usr/bin/env bash
# Every key of the spec schema (the libcyaml field tables of
# experiments/spec.c) has a row in docs/spec.md: a table row whose first
# cell names it (`key`). A key added to the schema without a row fails
# here. With LVPERF, the page's first YAML example must pass
# lvperf run --dry-run. Usage: test_docs_spec.sh SOURCE_ROOT [LVPERF]
set -u
root=$1
lvperf=${2:-}
src=$root/experiments/spec.c
doc=$root/docs/spec.md
[ -r "$src" ] && [ -r "$doc" ] || { echo "FAIL: cannot read $src or $doc"; exit 1; }

# A field row of a libcyaml table: STR("key", ...), LIST("key", ...),
# METRIC("key", ...) or any CYAML_FIELD_*("key", ...).
keys=$(grep -oE '\b(STR|LIST|METRIC|CYAML_FIELD_[A-Z_]+)\("[A-Za-z0-9_-]+"' "$src" | sed -E 's/.*\("//; s/"$//' | sort -u)
n=$(echo "$keys" | grep -c .)
[ "$n" -ge 20 ] || { echo "FAIL: found only $n keys in $src: has the schema's shape changed? (update this test)"; exit 1; }

# The first cell of each table row of the doc, split at ", ".
documented=$(grep -E '^\| `' "$doc" | cut -d'|' -f2 | grep -oE '`[A-Za-z0-9_-]+`' | tr -d '`' | sort -u)
missing=$(comm -23 <(echo "$keys") <(echo "$documented"))
if [ -n "$missing" ]; then
	echo "FAIL: spec keys of experiments/spec.c with no row in docs/spec.md:" $missing
	exit 1
fi
if [ -n "$lvperf" ]; then
	tmp=$(mktemp -d /tmp/lvp-docspec.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	awk '/^```yaml/ { on = 1; next } /^```/ { if (on) exit } on' "$doc" >"$tmp/example.yaml"
	(cd "$tmp" && "$lvperf" run example.yaml --dry-run >out 2>&1) ||
		{ echo "FAIL: docs/spec.md's example does not pass lvperf run --dry-run:"; head -5 "$tmp/out"; exit 1; }
fi
echo "$n spec keys, all documented in docs/spec.md"
