#!/usr/bin/env bash
# meson install --destdir into a temporary lvp directory: every file an
# installed lvperf needs is there, and the installed lvperf, run from
# elsewhere, plans its default spec from share/lvperf, not from the source
# tree. The directory is removed at the end. Usage: test_install.sh BUILDDIR
set -u
build=$(cd "$1" && pwd)
dest=$(mktemp -d /tmp/lvp-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

meson install -C "$build" --destdir "$dest" --no-rebuild >"$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; echo "FAIL: meson install"; exit 1; }
rm -f "$dest.log"
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
root=$dest$prefix
for f in bin/lvperf bin/beacon bin/floor-guest bin/reflect.bpf.o bin/xdp_stamp.bpf.o \
	share/lvperf/quick.yaml share/lvperf/paper.yaml share/man/man1/lvperf.1; do
	[ -s "$root/$f" ] || fail "$f not installed under $root"
done
grep -Eq '^\.TH "?lvperf"? "?1' "$root/share/man/man1/lvperf.1" 2>/dev/null || fail "lvperf.1 is not a man page"

cd "$dest" || exit 1
out=$("$root/bin/lvperf" run --dry-run 2>&1)
rc=$?
[ $rc -eq 0 ] || fail "installed lvperf run --dry-run: exit $rc: $(echo "$out" | tail -3)"
echo "$out" | grep -qx "spec file: $root/share/lvperf/quick.yaml" ||
	fail "installed lvperf does not plan share/lvperf/quick.yaml: $(echo "$out" | head -2)"
echo "$out" | grep -Eq '^spec quick: [0-9]+ targets, [0-9]+ points' || fail "no plan: $(echo "$out" | head -3)"
[ ! -e "$dest/runs" ] || fail "--dry-run wrote $dest/runs"
"$root/bin/lvperf" --version | grep -q '^lvperf ' || fail "installed lvperf --version"
echo "installed into $dest, $fails failed"
[ $fails -eq 0 ]
