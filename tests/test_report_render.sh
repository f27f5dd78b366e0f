#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lvperf report's index.html looked at as a person would: the fixture's
# report rendered by headless Chromium (Debian's chromium) to a PNG, with
# a check appended to a copy of the page that, once it has loaded, logs
# every image that did not load. Fails on a missing or broken image, on
# any console message from the page (the report has no script of its own,
# so any is an error) and on a screenshot that is not a PNG. Then the same
# with one figure removed, to show the check can fail. No root.
#   LVPERF=build/lvperf LVP_FIXTURES=tests/fixtures tests/test_report_render.sh
set -euo pipefail

LVPERF=${LVPERF:-build/lvperf}
FIX=${LVP_FIXTURES:-$(dirname "$0")/fixtures}
CHROMIUM=${CHROMIUM:-chromium}

fail() { echo "FAIL: $*" >&2; exit 1; }

for p in "$CHROMIUM" gnuplot; do
	command -v "$p" >/dev/null || { echo "SKIP: $p is not installed (scripts/setup.sh installs it)"; exit 77; }
done
tmp=$(mktemp -d /tmp/lvprender.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cp -r "$FIX/report_run" "$tmp/run"
"$LVPERF" report --quiet "$tmp/run" || fail "lvperf report exited $?"
r=$tmp/run/report
nimg=$(grep -o '<img ' "$r/index.html" | wc -l)
[ "$nimg" -ge 10 ] || fail "index.html shows $nimg images, want the fixture's 10"

# render DIR: screenshot DIR/lvp-check.png, console lines in DIR/console.
render() {
	local d=$1
	cp "$d/index.html" "$d/lvp-check.html"
	cat >>"$d/lvp-check.html" <<'JS'
<script>window.addEventListener("load", function () {
	var broken = 0, n = 0;
	for (const i of document.images) {
		n++;
		if (!i.complete || i.naturalWidth === 0) { broken++; console.error("lvp-missing-image " + i.getAttribute("src")); }
	}
	console.log("lvp-images " + n + " broken " + broken);
});</script>
JS
	HOME=$tmp timeout 120 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$tmp/profile-${d##*/}" --enable-logging=stderr --v=0 --window-size=1200,4000 \
		--screenshot="$d/lvp-check.png" "file://$d/lvp-check.html" >"$d/chromium.out" 2>"$d/chromium.err" ||
		{ tail -5 "$d/chromium.err" >&2; fail "chromium exited $?"; }
	grep -o 'CONSOLE[^"]*"[^"]*"' "$d/chromium.err" | sed 's/^[^"]*"//; s/"$//' >"$d/console" || true
}

render "$r"
head -c 8 "$r/lvp-check.png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' || fail "the screenshot is not a PNG"
[ "$(stat -c %s "$r/lvp-check.png")" -gt 10000 ] || fail "the screenshot is nearly empty"
grep -qx "lvp-images $nimg broken 0" "$r/console" || { cat "$r/console" >&2; fail "images did not all load (or the check did not run)"; }
if grep -vx "lvp-images $nimg broken 0" "$r/console" | grep -q .; then
	grep -vx "lvp-images $nimg broken 0" "$r/console" >&2
	fail "the page logged console messages"
fi

# The check can fail: one figure gone.
cp -r "$r" "$tmp/broken"
rm "$tmp/broken/fig4_http.svg"
render "$tmp/broken"
grep -qx "lvp-missing-image fig4_http.svg" "$tmp/broken/console" || { cat "$tmp/broken/console" >&2; fail "a missing figure went unnoticed"; }
echo "report render: ok ($nimg images)"
