#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang under
# ASan+UBSan in their own build directory, replay each committed corpus
# (tests/fuzz/<target>/: seeds and the inputs of crashes found before),
# then fuzz each target for SECONDS (default 60), or until RUNS executions
# when RUNS is given and comes first. One line per target: executions,
# executions/s, new corpus entries; exits 1 on a crash, whose input is kept
# in BUILD/crashes/ (add it to tests/fuzz/<target>/ when the bug is fixed).
#   bash scripts/fuzz.sh [SECONDS [RUNS]]   (LVP_FUZZ_BUILD=dir, default build-fuzz)
#   LVP_FUZZ_TARGETS="pkt tcp" bash scripts/fuzz.sh 600
#   bash scripts/fuzz.sh 14400 10000000     (the long run of README.md)
#   LVP_FUZZ_ARGS="-max_len=4096"            (more libFuzzer flags)
set -euo pipefail
secs=${1:-60}
runs=${2:-}
case "$secs$runs" in *[!0-9]*) echo "usage: fuzz.sh [SECONDS [RUNS]]" >&2; exit 2 ;; esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bd=${LVP_FUZZ_BUILD:-$root/build-fuzz}
targets=${LVP_FUZZ_TARGETS:-pkt tcp http resp spec report report_all ledger}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

command -v clang >/dev/null || { echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
if [ ! -f "$bd/build.ninja" ]; then
	CC=clang meson setup "$bd" "$root" -Dwerror=false -Db_lundef=false -Db_lto=false \
		-Dc_args="-fsanitize=fuzzer-no-link $san -g" -Dc_link_args="$san" >"$bd.setup.log" 2>&1 ||
		{ cat "$bd.setup.log" >&2; exit 1; }
fi
nice -n 10 ninja -C "$bd" liblvp_lib.a liblvp_dataplane.a liblvp_calib.a liblvp_drivers.a liblvp_experiments.a >/dev/null
inc="-I$root/lib -I$root/dataplane -I$root/calib -I$root/drivers -I$root/experiments"
libs_dp="$bd/liblvp_dataplane.a $bd/liblvp_lib.a"
libs_exp="$bd/liblvp_experiments.a $bd/liblvp_drivers.a $bd/liblvp_calib.a $bd/liblvp_lib.a"
deps=$(pkg-config --libs jansson libcyaml yaml-0.1 gsl libbpf)
mkdir -p "$bd/fuzz" "$bd/crashes"
# the spec and report targets write their input to files: here (tmpfs: on
# the disk the spec target ran at a third of the speed), removed at exit
LVP_FUZZ_TMP=$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )/lvpfuzz.XXXXXX")
export LVP_FUZZ_TMP
trap 'rm -rf "$LVP_FUZZ_TMP"' EXIT
rc=0
for t in $targets; do
	case $t in
	pkt|tcp|http|resp) l=$libs_dp ;;
	*) l=$libs_exp ;;
	esac
	# shellcheck disable=SC2086
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer $san $inc "$root/tests/fuzz/fuzz_$t.c" $l $deps -lm \
		-o "$bd/fuzz/fuzz_$t"
	corpus="$bd/corpus/$t"
	mkdir -p "$corpus"
	# Every committed input once (seeds, and crashes found before).
	"$bd/fuzz/fuzz_$t" -runs=0 -artifact_prefix="$bd/crashes/$t-replay-" "$root/tests/fuzz/$t" \
		>"$bd/fuzz/$t.replay.log" 2>&1 ||
		{ tail -30 "$bd/fuzz/$t.replay.log" >&2; echo "fuzz $t: a committed input fails" >&2; rc=1; continue; }
	# Fuzz, new inputs into the build's corpus, the committed one read only.
	if ! "$bd/fuzz/fuzz_$t" -max_total_time="$secs" ${runs:+-runs=$runs} ${LVP_FUZZ_ARGS:-} -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$bd/crashes/$t-" "$corpus" "$root/tests/fuzz/$t" >"$bd/fuzz/$t.log" 2>&1; then
		tail -40 "$bd/fuzz/$t.log" >&2
		echo "fuzz $t: CRASH, input in $bd/crashes/" >&2
		rc=1
		continue
	fi
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$bd/fuzz/$t.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$bd/fuzz/$t.log")
	cov=$(grep -o 'cov: [0-9]*' "$bd/fuzz/$t.log" | tail -1)
	took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$bd/fuzz/$t.log" | tail -1 | awk '{print $5}')
	echo "fuzz $t: ${n:-?} executions in ${took:-$secs}s, ${rate:-?}/s, $cov, corpus $(ls "$corpus" | wc -l) new + $(ls "$root/tests/fuzz/$t" | wc -l) committed, no crash"
done
exit $rc
