#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The layers of docs/architecture.md, checked on the sources:
#   lib <- dataplane <- calib <- drivers <- experiments <- app
# 1. every #include "x.h" names a header by bare name (no "../") and the
#    header lives in the including file's layer or a lower one;
# 2. app/ and experiments/ name no platform: no string literal equal to a
#    driver's name (they ask the drivers' registry and capabilities).
# No build needed.  tests/test_layers.sh [SOURCE_ROOT]
set -uo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
layers=(lib dataplane calib drivers experiments app)
bad=0

fail() { echo "FAIL: $*" >&2; bad=1; }

declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

# Which layer holds header h (bare name), or "" when none does (a system
# or generated header).
layer_of() {
	local l
	for l in "${layers[@]}"; do
		[ -e "$root/$l/$1" ] && { echo "$l"; return; }
	done
}

for l in "${layers[@]}"; do
	for f in "$root/$l"/*.c "$root/$l"/*.h; do
		[ -e "$f" ] || continue
		while IFS=: read -r n inc; do
			h=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+"([^"]+)".*/\1/' <<<"$inc")
			hl=
			case $h in
			*/*) [ "${h%%/*}" = bpf ] && [ -e "$(dirname "$f")/$h" ] && continue
			     fail "$l/${f##*/}:$n includes \"$h\": include headers by bare name"
			     d=${h%/*}; hl=${d##*/}; [ -n "${rank[$hl]:-}" ] || hl= ;;
			*) hl=$(layer_of "$h") ;;
			esac
			[ -n "$hl" ] || continue
			[ "${rank[$hl]}" -le "${rank[$l]}" ] ||
				fail "$l/${f##*/}:$n includes $hl/${h##*/}: $l may not use $hl (a higher layer)"
		done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
	done
done

# The platforms: every driver's name, as its file spells it.
names=$(cat "$root"/drivers/*.c | sed -nE \
	-e 's/.*\.name = "([^"]+)".*/\1/p' \
	-e 's/^[A-Z_]*DRIVER[A-Z_]*\([a-z_]+, "([^"]+)".*/\1/p' | sort -u)
[ "$(wc -w <<<"$names")" -ge 10 ] || fail "found only these platform names in drivers/: $names"
for l in experiments app; do
	for n in $names; do
		grep -Hn -- "\"$n\"" "$root/$l"/*.c "$root/$l"/*.h 2>/dev/null | while IFS= read -r hit; do
			echo "FAIL: ${hit#"$root"/}: $l names platform \"$n\"; ask the drivers' registry" >&2
			echo x
		done | grep -q x && bad=1
	done
done

[ $bad = 0 ] && echo "layers: ok (${#layers[@]} layers, $(wc -w <<<"$names") platforms)"
exit $bad
