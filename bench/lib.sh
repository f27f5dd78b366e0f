# bench/lib.sh — shared helpers for the shell benches under bench/.
# shellcheck shell=bash
# Source it from a bench that runs with `set -euo pipefail`:
#     . "$(dirname "$0")/lib.sh"
#
# Everything a bench creates (namespaces, links, processes, temp files) is
# registered here *before* it is created, and lvp_cleanup removes it from an
# EXIT trap, so a failure or Ctrl-C leaves nothing behind. All names start
# with "lvp". Processes are stopped by PID only.

LVP_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LVP_NETNS=()
LVP_LINKS=()
LVP_PIDS=()
LVP_TMPDIR=""
# The server veth's TX checksum offload in the benches that set it
# (lvp_peer_offloads): on unless the caller says off.
PEER_TX_CSUM=${PEER_TX_CSUM:-on}

# lvp_cleanup: stop registered PIDs, delete links and namespaces, remove the
# temp dir. Safe to run twice; every step ignores what is already gone.
lvp_cleanup() {
	local rc=$? pid i
	set +e
	for pid in "${LVP_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${LVP_PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	LVP_PIDS=()
	# Whatever still runs inside our own namespaces was started by us
	# (e.g. a beacon whose timer died): stop it by PID before the links go.
	for i in "${LVP_NETNS[@]}"; do
		for pid in $(ip netns pids "$i" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	for i in "${LVP_LINKS[@]}"; do
		ip link show "$i" >/dev/null 2>&1 && ip link del "$i"
	done
	LVP_LINKS=()
	for i in "${LVP_NETNS[@]}"; do
		ip netns del "$i" 2>/dev/null
	done
	LVP_NETNS=()
	[ -n "$LVP_TMPDIR" ] && rm -rf -- "$LVP_TMPDIR"
	LVP_TMPDIR=""
	return $rc
}
trap lvp_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

lvp_die() {
	echo "${0##*/}: $*" >&2
	exit 1
}

# lvp_require CMD...: fail early with one line if a tool is missing.
lvp_require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || lvp_die "needs '$c' in PATH"
	done
	[ "$(id -u)" -eq 0 ] || lvp_die "needs root (namespaces, veths)"
}

# lvp_tmpdir: create the bench's private temp dir; its path is $LVP_TMPDIR.
lvp_tmpdir() {
	LVP_TMPDIR=$(mktemp -d /tmp/lvp.XXXXXX)
}

# lvp_netns_add NAME: create a namespace with lo up.
lvp_netns_add() {
	LVP_NETNS+=("$1")
	ip netns add "$1"
	ip -n "$1" link set lo up
}

# lvp_veth_add HOST_IF PEER_IF NETNS: veth pair, HOST_IF stays in this
# namespace, PEER_IF goes into NETNS; both up, IPv6 off on both so router
# solicitations and ND do not add traffic to the measured link.
lvp_veth_add() {
	LVP_LINKS+=("$1")
	ip link add "$1" type veth peer name "$2" netns "$3"
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"
	ip netns exec "$3" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	ip link set "$1" up
	ip -n "$3" link set "$2" up
}

# lvp_pid_track PID: stop PID on exit if still running. lvp_pid_untrack PID
# once it has been reaped.
lvp_pid_track() {
	LVP_PIDS+=("$1")
}
lvp_pid_untrack() {
	local keep=() p
	for p in "${LVP_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	LVP_PIDS=("${keep[@]}")
}

# lvp_run OUT ERR CMD...: run CMD with stdout to OUT and stderr to ERR as a
# tracked background job and wait for it, so a signal to the bench runs the
# cleanup at once and stops CMD by its PID. Returns CMD's exit status.
lvp_run() {
	local out=$1 err=$2 pid rc=0
	shift 2
	"$@" >"$out" 2>"$err" &
	pid=$!
	lvp_pid_track "$pid"
	wait "$pid" || rc=$?
	lvp_pid_untrack "$pid"
	return $rc
}

# lvp_subnet_free PREFIX: refuse to run if the host already routes PREFIX
# (e.g. "10.254.1."), so bench traffic can only reach our own veths.
lvp_subnet_free() {
	if ip -4 route show | grep -q "^${1//./\\.}"; then
		lvp_die "a route into ${1}0/24 already exists on this host; refusing to use it"
	fi
}

# The server's veth ends inside the bench namespace: TSO and GSO off (lvperf
# takes MTU-sized frames through AF_XDP), TX checksum offload as
# PEER_TX_CSUM says. On (the default since 2026-12-04's fourth round; a
# veth's own default and what lvperf's drivers leave on a target's veth,
# drivers/netns.h), the
# server's kernel leaves CHECKSUM_PARTIAL segments, which neither the peer
# tool's kernel nor lvperf (it checks the pseudo-header's sum,
# docs/dataplane.md) sums again. Off (every figure before that round), the
# server's kernel sums every segment it sends and both receivers verify the
# sum (lvperf over each segment's whole length). Usage: lvp_peer_offloads
# NS IF
lvp_peer_offloads() {
	case $PEER_TX_CSUM in
	off | on) ip netns exec "$1" ethtool -K "$2" tx "$PEER_TX_CSUM" tso off gso off >/dev/null ;;
	*) echo "PEER_TX_CSUM must be on or off, not '$PEER_TX_CSUM'" >&2; return 1 ;;
	esac
}

# lvp_wait_link_up NETNS IF: wait (up to 5 s) until carrier is up.
lvp_wait_link_up() {
	local i
	for i in $(seq 50); do
		ip -n "$1" -o link show "$2" | grep -q 'LOWER_UP' && return 0
		sleep 0.1
	done
	lvp_die "link $2 in $1 did not come up"
}

# lvp_header PORT_TYPE ACCEL: the machine and build, per BENCHMARKS.md.
lvp_header() {
	local commit model
	commit=$(git -C "$LVP_REPO" rev-parse --short HEAD 2>/dev/null) ||
		commit="(no commit yet)"
	if [ -n "$(git -C "$LVP_REPO" status --porcelain 2>/dev/null)" ]; then
		commit="$commit +uncommitted changes"
	fi
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	echo "# bench:       ${0##*/}"
	echo "# date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "# cores:       $(nproc)"
	echo "# cpu model:   ${model:-unknown}"
	echo "# kernel:      $(uname -r)"
	echo "# lvperf:      $commit (the checkout)"
	# The binary that runs may be another build (LVPERF=): name it, and
	# say when its XDP stamp program is not beside it (lvperf then stamps
	# af_xdp frames after the RX burst, which costs less: an A/B against a
	# binary copied out of its build directory is not like for like).
	if [ -n "${LVPERF:-}" ] && [ -x "$LVPERF" ]; then
		local version
		version=$("$LVPERF" --version 2>/dev/null | head -n1)
		echo "# binary:      $LVPERF: $version"
		[ -e "$(dirname "$(readlink -f "$LVPERF")")/xdp_stamp.bpf.o" ] ||
			echo "# NOTE:        no xdp_stamp.bpf.o beside $LVPERF: af_xdp RX stamped after the burst"
		# A build directory set up before b_lto was the default keeps
		# it off; the worker probe reads the TSC in every stage.
		case "$version" in
		*"no lto"*) echo "# NOTE:        $LVPERF was built without link-time optimisation" \
			"(meson configure <builddir> -Db_lto=true): kv ran about 5 % fewer requests per own CPU-s" ;;
		esac
		case "$version" in
		*"worker probe"*) echo "# NOTE:        $LVPERF is a worker-probe build: TSC reads in every stage" ;;
		esac
	fi
	echo "# port type:   $1"
	echo "# accelerator: $2"
}

# lvp_summary FILE: FILE is a TSV with a header row and one row per round.
# Prints the rows aligned, then one row of column medians; for a ratio
# column that is the median of the per-round ratios (BENCHMARKS.md). Empty
# or "-" cells are skipped.
lvp_summary() {
	python3 - "$1" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
head, body = rows[0], rows[1:]
med = ["median"]
for c in range(1, len(head)):
    vals = []
    for r in body:
        try:
            vals.append(float(r[c]))
        except (ValueError, IndexError):
            pass
    med.append("%.3f" % statistics.median(vals) if vals else "-")
table = [head] + body + [med]
w = [max(len(r[c]) if c < len(r) else 1 for r in table) for c in range(len(head))]
for i, r in enumerate(table):
    if i == len(table) - 1:
        print("  ".join("-" * x for x in w))
    print("  ".join((r[c] if c < len(r) else "-").rjust(w[c]) for c in range(len(head))))
EOF
}

# lvp_apt_need CMD[:PKG]...: make sure each CMD is in PATH, installing PKG
# (default: CMD) with apt-get for those that are not; apt-get update runs
# first, and only when something is missing.
lvp_apt_need() {
	local c pkgs=()
	for c in "$@"; do
		command -v "${c%%:*}" >/dev/null 2>&1 || pkgs+=("${c#*:}")
	done
	[ ${#pkgs[@]} -eq 0 ] && return 0
	echo "# installing with apt-get: ${pkgs[*]}" >&2
	command -v apt-get >/dev/null 2>&1 || lvp_die "needs ${pkgs[*]} and there is no apt-get"
	if ! apt-get update -qq >/dev/null ||
		! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null; then
		lvp_die "apt-get install ${pkgs[*]} failed"
	fi
}

# lvp_ratio A B: A/B with 3 decimals, "-" when either is missing or B is 0.
lvp_ratio() {
	python3 -c '
import sys
try:
    a, b = map(float, sys.argv[1:])
    print("%.3f" % (a / b) if b else "-")
except ValueError:
    print("-")' "$1" "$2"
}

# lvp_wait_tcp IP PORT [SECONDS]: wait (default 5 s) until a TCP connect to
# IP:PORT from this namespace succeeds.
lvp_wait_tcp() {
	local i
	for i in $(seq $((${3:-5} * 10))); do
		timeout 1 bash -c ">/dev/tcp/$1/$2" 2>/dev/null && return 0
		sleep 0.1
	done
	lvp_die "nothing accepts connections on $1:$2"
}

# lvp_accel: one line for the header's accelerator field on a native run:
# container and hypervisor as far as they can be seen from inside.
lvp_accel() {
	local ctr=none hv=no
	command -v systemd-detect-virt >/dev/null 2>&1 &&
		ctr=$(systemd-detect-virt -c 2>/dev/null || true)
	grep -qw hypervisor /proc/cpuinfo && hv=yes
	echo "none, lvperf runs natively (container: ${ctr:-none}; CPU hypervisor flag: $hv)"
}
