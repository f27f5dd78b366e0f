#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# lvperf report on the fixture run directory (tests/fixtures/report_run,
# made by make_report_run.py): every output and figure is written, the
# summary and statistics agree with scipy/statsmodels figures stored in
# report_expected.json (also Brown-Forsythe, Welch, Games-Howell, the
# verdict and the pooled stamp error), failed/skipped/flagged points and
# the cut-short last line are accounted for, every figure and table states
# its clock, floor and error bars, and a second report from the same raw
# files is byte-identical. Then lvperf stats' unequal-variance tests on
# the issue's case (stats_unequal.csv). No root, no DPDK.
#   LVPERF=build/lvperf LVP_FIXTURES=tests/fixtures tests/test_report.sh
set -euo pipefail

LVPERF=${LVPERF:-build/lvperf}
FIX=${LVP_FIXTURES:-$(dirname "$0")/fixtures}
tmp=$(mktemp -d /tmp/lvpreport.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

if ! command -v gnuplot >/dev/null; then
	echo "SKIP: gnuplot is not installed (apt-get install gnuplot-nox; scripts/setup.sh does)"
	exit 77
fi

cp -r "$FIX/report_run" "$tmp/a"
cp -r "$FIX/report_run" "$tmp/b"
"$LVPERF" report "$tmp/a" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "lvperf report exited $?"; }
grep -q '174 ok, 1 failed, 5 skipped, 1 flagged points; 10 figures, 0 omitted' "$tmp/err" ||
	{ cat "$tmp/err" >&2; fail "summary line"; }
# The raw files are only read.
diff -r "$FIX/report_run/raw" "$tmp/a/raw" || fail "lvperf report changed the raw files"

r="$tmp/a/report"
for f in results.csv summary.csv summary.json stats.json findings.csv index.html; do
	[ -s "$r/$f" ] || fail "$f missing or empty"
done
for g in fig3a_startup fig3b_size fig3c_rtt fig4_http fig5_memory fig6a_kv_get fig6b_kv_set \
	fig7a_http_latency fig7b_kv_latency fig8_boot_stages; do
	for ext in gp dat svg png; do
		[ -s "$r/$g.$ext" ] || fail "$g.$ext missing or empty"
	done
	head -c 8 "$r/$g.png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' || fail "$g.png is not a PNG"
	grep -q '</svg>' "$r/$g.svg" || fail "$g.svg is not a whole SVG"
	grep -q "src=\"$g.svg\"" "$r/index.html" || fail "index.html does not show $g"
done

# Numbers against the independent references.
/usr/bin/env python3 - "$r" "$FIX/report_expected.json" <<'PY' || fail "report figures differ from the references"
import csv, json, math, sys
r, exp = sys.argv[1], json.load(open(sys.argv[2]))
summ, st = json.load(open(r + "/summary.json")), json.load(open(r + "/stats.json"))
bad = []

def close(what, got, want, rel=1e-6):
    if want is None:
        if got is not None:
            bad.append("%s: %r, want null" % (what, got))
        return
    if got is None or isinstance(got, str):
        bad.append("%s: %r, want %r" % (what, got, want))
        return
    if not math.isclose(got, want, rel_tol=rel, abs_tol=1e-9 * max(1.0, abs(want))):
        bad.append("%s: %.10g, want %.10g" % (what, got, want))

def k(m, sweep, *rest):
    return (m, json.dumps(sweep, sort_keys=True)) + rest

c = exp["counts"]
p = summ["points"]
for name, key in (("ok", "ok"), ("failed", "failed"), ("skipped", "skipped"), ("flagged", "flagged"),
                  ("partial", "partial_lines_ignored")):
    if p[key] != c[name]:
        bad.append("points %s: %r, want %r" % (key, p[key], c[name]))

rows = {k(x["metric"], x["sweep"], x["target"]): x for x in summ["rows"]}
if len(rows) != len(exp["summary"]):
    bad.append("summary: %d rows, want %d" % (len(rows), len(exp["summary"])))
for e in exp["summary"]:
    g = rows.get(k(e["metric"], e["sweep"], e["target"]))
    if g is None:
        bad.append("summary: no row for %s %s %s" % (e["metric"], e["sweep"], e["target"]))
        continue
    if g["n"] != e["n"]:
        bad.append("summary %s %s: n %d want %d" % (e["metric"], e["target"], g["n"], e["n"]))
    for f in ("mean", "sd", "ci_lo", "ci_hi", "min", "median", "max"):
        close("summary %s %s %s %s" % (e["metric"], e["sweep"], e["target"], f), g[f], e[f])
    want_clock = "not timed" if e["metric"] in ("size", "memory") else "tsc-after-rx-burst"
    if g.get("clock") != want_clock or "floor" not in g:
        bad.append("summary %s %s: clock %r, floor %r" % (e["metric"], e["target"], g.get("clock"), g.get("floor")))
    if e["metric"] in ("rtt", "http", "kv") and (g["floor"] or {}).get("source") != "ring-reflector":
        bad.append("summary %s %s: floor %r" % (e["metric"], e["target"], g["floor"]))
    if e["metric"] == "startup":
        se, es = g.get("stamp_error_ns", "missing"), e["stamp_error_ns"]
        if es is None:
            if se is not None or "not known" not in (g.get("stamp_error_reason") or ""):
                bad.append("summary startup %s: stamp error %r, want null with its reason" % (e["target"], se))
        elif not isinstance(se, dict) or se["n"] != es["n"]:
            bad.append("summary startup %s: stamp error %r, want %r" % (e["target"], se, es))
        else:
            close("summary startup %s stamp error mean" % e["target"], se["mean"], es["mean"])
            close("summary startup %s stamp error sd" % e["target"], se["sd"], es["sd"])

one = {k(x["metric"], x["sweep"]): x for x in st["oneway"]}
for e in exp["oneway"]:
    g = one.get(k(e["metric"], e["sweep"]))
    what = "oneway %s %s" % (e["metric"], e["sweep"])
    if g is None:
        bad.append(what + ": missing")
        continue
    if g["targets"] != e["targets"]:
        bad.append(what + ": targets %r want %r" % (g["targets"], e["targets"]))
    if e["anova"] is None:
        if g["anova"] is not None or not g.get("why"):
            bad.append(what + ": expected no ANOVA, with a reason")
        continue
    if g["anova"] is None:
        bad.append(what + ": no ANOVA: " + g.get("why", ""))
        continue
    for f in ("f", "p", "df_between", "df_within"):
        close(what + " " + f, g["anova"][f], e["anova"][f])
    pairs = {(t["a"], t["b"]): t for t in g["tukey"]}
    if len(pairs) != len(e["tukey"]):
        bad.append(what + ": %d Tukey pairs, want %d" % (len(pairs), len(e["tukey"])))
    for t in e["tukey"]:
        gt = pairs.get((t["a"], t["b"]))
        if gt is None:
            bad.append(what + ": no Tukey pair %s-%s" % (t["a"], t["b"]))
            continue
        for f in ("diff", "ci_lo", "ci_hi"):
            close(what + " tukey %s-%s %s" % (t["a"], t["b"], f), gt[f], t[f])
        # scipy's tukey_hsd p-values are good to about 1e-5 absolute (its own
        # integration); stats.c's are checked to 6 digits in test_anova.
        if not math.isclose(gt["p_adj"], t["p_adj"], rel_tol=1e-4, abs_tol=2e-5):
            bad.append(what + " tukey %s-%s p_adj: %.8g want %.8g" % (t["a"], t["b"], gt["p_adj"], t["p_adj"]))
        if gt["significant"] != t["significant"]:
            bad.append(what + " tukey %s-%s significant: %r" % (t["a"], t["b"], gt["significant"]))
    if g.get("anova", {}).get("label") != "study: equal variances assumed" or \
            g.get("tukey_label") != "study: equal variances assumed":
        bad.append(what + ": the study's ANOVA and Tukey HSD are not labelled")
    if g.get("verdict") != e["verdict"]:
        bad.append(what + ": verdict %r want %r" % (g.get("verdict"), e["verdict"]))
    for name in ("levene", "brown_forsythe", "welch_anova"):
        if not isinstance(g.get(name), dict):
            bad.append(what + ": no " + name)
            continue
        for f in ("f", "p", "df1", "df2"):
            close(what + " %s %s" % (name, f), g[name][f], e[name][f])
    ghs = {(t["a"], t["b"]): t for t in g.get("games_howell") or []}
    if len(ghs) != len(e["games_howell"]):
        bad.append(what + ": %d Games-Howell pairs, want %d" % (len(ghs), len(e["games_howell"])))
    for t in e["games_howell"]:
        gt = ghs.get((t["a"], t["b"]))
        if gt is None:
            bad.append(what + ": no Games-Howell pair %s-%s" % (t["a"], t["b"]))
            continue
        for f in ("diff", "df", "ci_lo", "ci_hi"):
            close(what + " gh %s-%s %s" % (t["a"], t["b"], f), gt[f], t[f])
        if not math.isclose(gt["p_adj"], t["p_adj"], rel_tol=1e-4, abs_tol=2e-5):
            bad.append(what + " gh %s-%s p_adj: %.8g want %.8g" % (t["a"], t["b"], gt["p_adj"], t["p_adj"]))
        if gt["significant"] != t["significant"]:
            bad.append(what + " gh %s-%s significant: %r" % (t["a"], t["b"], gt["significant"]))

two = {k(x["metric"], x["fixed"], tuple(x["factors"])): x for x in st["twoway"]}
for e in exp["twoway"]:
    what = "twoway %s %s %s" % (e["metric"], e["factors"], e["fixed"])
    g = two.get(k(e["metric"], e["fixed"], tuple(e["factors"])))
    if g is None:
        bad.append(what + ": missing")
        continue
    if e["anova"] is None:
        if g["anova"] is not None or not g.get("why"):
            bad.append(what + ": expected no ANOVA, with a reason (unbalanced)")
        continue
    if g["anova"] is None:
        bad.append(what + ": no ANOVA: " + g.get("why", ""))
        continue
    for gr, er in zip(g["anova"], e["anova"]):
        if gr["source"] != er["source"]:
            bad.append(what + ": row %s want %s" % (gr["source"], er["source"]))
        for f in ("ss", "df", "f", "p"):
            close(what + " " + er["source"] + " " + f, gr[f], er[f])

# results.csv: one row per ok point, sorted by point id, extras as columns.
with open(r + "/results.csv", newline="") as fh:
    res = list(csv.DictReader(fh))
if len(res) != c["ok"]:
    bad.append("results.csv: %d rows, want %d" % (len(res), c["ok"]))
ids = [int(x["point"]) for x in res]
if ids != sorted(ids):
    bad.append("results.csv not sorted by point")
for col in ("point", "target", "platform", "workload", "net", "accel", "metric", "connections", "pipeline", "op",
            "under", "rep", "value", "unit", "clock", "floor_ns", "arp_ms", "p99_us", "rss_bytes"):
    if col not in res[0]:
        bad.append("results.csv: no column " + col)
if sum(1 for x in res if x["flags"] == "retransmissions") != 1:
    bad.append("results.csv: the flagged point's flags")

with open(r + "/summary.csv", newline="") as fh:
    hdr = next(csv.reader(fh))
for col in ("clock", "floor_source", "floor_ns", "stamp_error_n", "stamp_error_mean_ns", "stamp_error_sd_ns"):
    if col not in hdr:
        bad.append("summary.csv: no column " + col)

html = open(r + "/index.html").read()
caps = html.count("<figcaption>")
for s, n in (("Clock: tsc-after-rx-burst. Floor subtracted: ", caps - 2), ("Clock: not timed. Floor subtracted: none", 2), ("Error bars: 95 % CI of the mean", 8),
             ("No error bars: means over the repetitions", 2), ("Stamp error (port stamp - the sender's TSC", 2),
             ("<th>clock</th><th>floor subtracted</th>", len(set(x["metric"] for x in exp["summary"]))),
             ("<th>stamp error (&micro;s)</th>", 1), ("Verdict follows Welch's ANOVA and Games-Howell", 3)):
    if html.count(s) != n:
        bad.append("index.html says %r %d times, want %d" % (s, html.count(s), n))
for s in ["no HTTP response within 10 s", "runsc --platform=ptrace cannot run", "retransmissions",
          "spawn floor", "disagree", "The run is flagged (run.json): spawn_floor_changed", "ring-reflector", "tsc-after-rx-burst", "cut-short last line",
          "unbalanced", "ring-reflector 9012 ns", "Tukey HSD (study: equal variances assumed)",
          "One-way ANOVA (study: equal variances assumed)", "(the tests disagree)",
          "Welch's ANOVA (unequal variances): F(", "Brown-Forsythe F(", "0.8933 &plusmn; 0.182 (n = 5)"] + ["F(%d, %d) = " % (e["anova"]["df_between"], e["anova"]["df_within"])
                           for e in exp["oneway"] if e["anova"]]:
    if s not in html:
        bad.append("index.html does not say " + repr(s))
if bad:
    print("\n".join(bad[:60]), file=sys.stderr)
    print("%d mismatches" % len(bad), file=sys.stderr)
    sys.exit(1)
print("ok: %d summary rows, %d one-way, %d two-way checked" % (len(exp["summary"]), len(exp["oneway"]), len(exp["twoway"])))
PY

# Rebuilt from the same raw files: byte-identical, whether into a fresh
# directory or over an existing report.
"$LVPERF" report --quiet "$tmp/b" || fail "second report exited $?"
diff -r "$tmp/a/report" "$tmp/b/report" >"$tmp/diff" || { head -40 "$tmp/diff" >&2; fail "reports differ"; }
"$LVPERF" report --quiet "$tmp/b" || fail "third report exited $?"
diff -r "$tmp/a/report" "$tmp/b/report" >/dev/null || fail "a report rebuilt over itself differs"

# Findings (issue 18): findings.csv and the section on top of index.html.
# Letters checked by hand against the fixture's pairwise tables
# (stats.json): memory under=idle by Games-Howell (only native and
# docker-redis, runc and docker-redis, microvm and microvm-redis do not
# differ), under=http by Tukey HSD (native-runc and runc-docker do not
# differ), startup by Games-Howell (docker/docker-redis and
# microvm/microvm-redis do not differ); then, for every group, that two
# targets share a letter exactly when the named test does not separate
# them, the ranking, the units, the ratio to native and the study column.
/usr/bin/env python3 - "$r" <<'PY' || fail "findings wrong"
import csv, json, math, sys
r = sys.argv[1]
rows = list(csv.DictReader(open(r + "/findings.csv", encoding="utf-8")))
st, summ = json.load(open(r + "/stats.json")), json.load(open(r + "/summary.json"))
html = open(r + "/index.html", encoding="utf-8").read()
bad = []
def sw(o):
    return " ".join("%s=%s" % kv for kv in o.items())
groups = {}
for x in rows:
    groups.setdefault((x["metric"], x["sweep"]), []).append(x)
hand = {("memory", "under=idle"): ("Games-Howell", {"native-redis": "a", "native": "b", "docker-redis": "bc", "runc": "c",
                                                     "docker": "d", "microvm": "e", "microvm-redis": "e"}),
        ("memory", "under=http"): ("Tukey HSD", {"native": "a", "runc": "ab", "docker": "b", "microvm": "c"}),
        ("startup", ""): ("Games-Howell", {"native": "a", "native-redis": "b", "runc": "c", "microvm": "d",
                                           "microvm-redis": "d", "docker": "e", "docker-redis": "e"})}
for k, (test, want) in hand.items():
    got = {x["target"]: x["letters"] for x in groups.get(k, [])}
    if got != want or any(x["letters_from"] != test for x in groups.get(k, [])):
        bad.append("%s letters %r (%s), want %r (%s)" % (k, got, groups.get(k, [{}])[0].get("letters_from"), want, test))
scale = {"ms": 1, "µs": 1, "MiB": 1 / 1048576, "k req/s": 1e-3}
if len(groups) != len(st["oneway"]):
    bad.append("%d findings tables, want one per one-way group (%d)" % (len(groups), len(st["oneway"])))
for o in st["oneway"]:
    g = groups.get((o["metric"], sw(o["sweep"])))
    if not g:
        bad.append("no findings for %s %s" % (o["metric"], o["sweep"]))
        continue
    hi = g[0]["unit"].endswith("req/s")
    means = [float(x["mean"]) for x in g]
    if [int(x["rank"]) for x in g] != list(range(1, len(g) + 1)) or means != sorted(means, reverse=hi):
        bad.append("%s %s not ranked best first: %r" % (o["metric"], o["sweep"], means))
    for x in g:
        row = next(s for s in summ["rows"] if s["metric"] == o["metric"] and s["sweep"] == o["sweep"] and s["target"] == x["target"])
        if not math.isclose(float(x["mean"]), row["mean"] * scale[x["unit"]], rel_tol=1e-5):
            bad.append("%s %s %s: mean %s %s, summary %r %s" % (o["metric"], o["sweep"], x["target"], x["mean"], x["unit"], row["mean"], row["unit"]))
        ref = next(y for y in g if y["target"] == x["ratio_to"])
        if ref["platform"] != "native" or not math.isclose(float(x["ratio_to_native"]), float(x["mean"]) / float(ref["mean"]), rel_tol=1e-3):
            bad.append("%s %s %s: ratio %s to %s" % (o["metric"], o["sweep"], x["target"], x["ratio_to_native"], x["ratio_to"]))
    if not o.get("anova"):
        if any(x["letters"] for x in g):
            bad.append("%s: letters without a test" % o["metric"])
        continue
    test = "Games-Howell" if o["verdict"] == "welch_anova+games_howell" else "Tukey HSD"
    pairs = o["games_howell" if test == "Games-Howell" else "tukey"]
    let = {x["target"]: set(x["letters"]) for x in g}
    for p in pairs:
        share = bool(let[p["a"]] & let[p["b"]])
        if share == p["significant"] or g[0]["letters_from"] != test:
            bad.append("%s %s: %s/%s share a letter: %s, %s significant: %s" % (o["metric"], o["sweep"], p["a"], p["b"], share, test, p["significant"]))
d = {(x["metric"], x["sweep"], x["target"]): x for x in rows}
for k, lab, mean in ((("startup", "", "docker"), "Docker on Native", 234.241), (("memory", "under=http", "microvm"), "Ubuntu on KVM", 256.0),
                     (("rtt", "", "docker"), "Docker on Native", 226.933), (("http", "connections=100 pipeline=1", "native"), "Ubuntu on Native", 79.811)):
    x = d[k]
    if x["study_2017_platform"] != lab or not math.isclose(float(x["study_2017_mean"]), mean, rel_tol=1e-5):
        bad.append("%s: study %r %r, want %r %r" % (k, x["study_2017_platform"], x["study_2017_mean"], lab, mean))
if d[("startup", "", "runc")]["study_2017_platform"] or d[("memory", "under=idle", "docker")]["study_2017_platform"]:
    bad.append("a study mean where the study has no row")
if html.find("<h2>Findings</h2>") < 0 or html.find("<h2>Findings</h2>") > html.find("<h2>Figures</h2>"):
    bad.append("index.html: Findings not on top")
for s in ("another machine, 2017", "Groups from Games-Howell", "Groups from Tukey HSD", "<th>mean (k req/s)</th>", "Docker on Native: 234.2 ms",
          "diff (MiB)", "diff (ms)", "diff (k req/s)"):
    if s not in html:
        bad.append("index.html does not say " + repr(s))
if "diff</th>" in html:
    bad.append("index.html: a Tukey table without its unit")
# The memory Tukey differences in MiB, as stats.json's bytes / 2^20.
o = next(o for o in st["oneway"] if o["metric"] == "memory" and o["sweep"] == {"under": "http"})
p = next(p for p in o["tukey"] if (p["a"], p["b"]) == ("native", "docker"))
if "<td>native &minus; docker</td><td>%.6g</td>" % (p["diff"] / 1048576) not in html:
    bad.append("memory Tukey difference native - docker not %.6g MiB" % (p["diff"] / 1048576))
# The flagged point (75: docker, http, retransmissions) beside the two http figures and no other.
flag = "Flagged points in this figure: point 75 (docker, connections=200 pipeline=1): retransmissions"
for fig in ("fig4_http", "fig7a_http_latency"):
    i = html.find('<figure id="%s"' % fig)
    j = html.find("<figure", i + 1)
    if i < 0 or html.find(flag, i) < 0 or (j > 0 and html.find(flag, i) > j):
        bad.append("the flagged point is not next to " + fig)
if html.count(flag) != 2:
    bad.append("the flagged point is next to %d figures, want 2" % html.count(flag))
if bad:
    print("\n".join(bad[:40]), file=sys.stderr)
    sys.exit(1)
print("findings: %d tables checked" % len(groups))
PY

# A metric with no data: its figures are omitted and the HTML says why.
mkdir -p "$tmp/c/raw"
grep -v '"metric": "kv"' "$FIX/report_run/raw/points.jsonl" | head -n -1 >"$tmp/c/raw/points.jsonl" || true
cp "$FIX/report_run/raw/calibration.jsonl" "$tmp/c/raw/"
"$LVPERF" report "$tmp/c" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "report without kv exited $?"; }
grep -q '3 omitted' "$tmp/err" || { cat "$tmp/err" >&2; fail "kv figures were not omitted"; }
for g in fig6a_kv_get fig6b_kv_set fig7b_kv_latency; do
	[ ! -e "$tmp/c/report/$g.svg" ] || fail "$g drawn without data"
	grep -q "($g) omitted: no ok kv points" "$tmp/c/report/index.html" || fail "index.html does not say why $g is omitted"
done

# No gnuplot: everything but the images, and the HTML says why.
cp -r "$FIX/report_run" "$tmp/e"
"$LVPERF" report --gnuplot lvp-no-such-gnuplot "$tmp/e" 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "report without gnuplot exited $?"; }
[ -s "$tmp/e/report/fig4_http.gp" ] && [ ! -e "$tmp/e/report/fig4_http.svg" ] || fail "without gnuplot: scripts or images wrong"
cmp -s "$tmp/e/report/stats.json" "$tmp/a/report/stats.json" || fail "without gnuplot: stats.json differs"
grep -q "Figures not rendered: 'lvp-no-such-gnuplot' was not found" "$tmp/e/report/index.html" || fail "index.html does not say gnuplot is missing"
! grep -q '<img' "$tmp/e/report/index.html" || fail "index.html shows images that were not drawn"

# Bad raw data: one line naming the file and line.
mkdir -p "$tmp/d/raw"
{ head -3 "$FIX/report_run/raw/points.jsonl"; echo '{"point": 9999, "target": "x"'; head -5 "$FIX/report_run/raw/points.jsonl" | tail -1; } >"$tmp/d/raw/points.jsonl"
if "$LVPERF" report "$tmp/d" 2>"$tmp/err"; then fail "a corrupt middle line was accepted"; fi
grep -q 'points.jsonl:4: not JSON' "$tmp/err" || { cat "$tmp/err" >&2; fail "error does not name the line"; }

# lvperf stats on the issue's case: runc and crun (n = 30, SDs 5.2 and 3.2
# among SDs up to 21): Tukey HSD "not different", Games-Howell different,
# Brown-Forsythe rejects equal variances (references: make_stats_ref.py).
U="$FIX/stats_unequal.csv"
"$LVPERF" stats brown-forsythe "$U" --value startup_ms --group platform --json >"$tmp/bf.json" || fail "stats brown-forsythe"
"$LVPERF" stats welch "$U" --value startup_ms --group platform --json >"$tmp/welch.json" || fail "stats welch"
"$LVPERF" stats games-howell "$U" --value startup_ms --group platform --json >"$tmp/gh.json" || fail "stats games-howell"
"$LVPERF" stats tukey "$U" --value startup_ms --group platform --json >"$tmp/tk.json" || fail "stats tukey"
"$LVPERF" stats levene "$U" --value startup_ms --group platform | grep -q 'equal variances rejected' || fail "stats levene text"
/usr/bin/env python3 - "$tmp" <<'PY' || fail "lvperf stats unequal-variance tests differ from the references"
import json, math, sys
t = sys.argv[1]
bf, we, gh, tk = (json.load(open("%s/%s.json" % (t, n))) for n in ("bf", "welch", "gh", "tk"))
pair = lambda o: next(p for p in o["pairs"] if (p["i"], p["j"]) == ("runc", "crun"))
checks = [(bf["p"], 4.4087666155789892e-17, 1e-6), (bf["f"], 14.142130061584561, 1e-9),
          (we["f"], 8032.5371337553825, 1e-9), (we["df2"], 97.61324245533909, 1e-9),
          (pair(gh)["p"], 5.8328202268143059e-09, 1e-5), (pair(gh)["df"], 48.210003942468077, 1e-9),
          (pair(tk)["p"], 0.20345748826629351, 1e-5)]
bad = [c for c in checks if not math.isclose(c[0], c[1], rel_tol=c[2])]
if bad or not (pair(tk)["p"] > 0.05 > pair(gh)["p"]):
    print(bad, pair(tk)["p"], pair(gh)["p"], file=sys.stderr)
    sys.exit(1)
PY
echo "report: ok"
