# shellcheck shell=bash
# A "test server" on this machine for lvperf --server (sourced by
# tests/integration.sh): network namespace lvpsv<pid> running its own
# OpenSSH sshd (Debian's openssh-server) on the namespace's management
# address only, with keys made here; a management veth (root namespace
# <-> server) for ssh, and an uplink veth whose root-namespace end is the
# appliance's dataplane port and whose other end is the server's uplink.
# The server's PATH starts with $srv_dir/bin, where lvperf is a link to
# the build's (the same filesystem); tests swap it for the other cases.
# Everything carries the lvp prefix; server_down removes it all, sshd by
# its PID.
#   server_up [K]           sets srv_ns srv_uri srv_uplink srv_port srv_dir srv_sshd;
#                           K (one letter) makes a second server beside the
#                           first: names lvpsv<pid>K*, management net
#                           10.249.x.0/30, the first server's keys and ssh
#                           config (its known_hosts learns the second)
#   server_save VAR / server_load VAR   keep and restore one server's variables
#   server_down
#   server_leftovers        prints what the agent left in the server, if anything

srv_sshd=
srv_made_run_sshd=

server_up() {
	local n=$(($$ % 200)) i k=${1:-} net=10.248 first_dir=${srv_dir:-}
	[ -z "$k" ] || net=10.249
	srv_id="$$$k"
	srv_ns="lvpsv$srv_id"
	srv_mgmt_ip="$net.$n.2"
	srv_dir=$(mktemp -d /tmp/lvpsv.XXXXXX)
	srv_uplink="lvpsv${srv_id}u"  # the server's end of the cable
	srv_port="lvpsv${srv_id}a"    # the appliance's end: the dataplane's af_xdp port
	srv_uri="ssh://root@$srv_mgmt_ip"
	srv_sshd=
	ip netns add "$srv_ns"
	ip link add "lvpsv${srv_id}m" type veth peer name "lvpsv${srv_id}n" netns "$srv_ns"
	ip link add "$srv_port" type veth peer name "$srv_uplink" netns "$srv_ns"
	ip addr add "$net.$n.1/30" dev "lvpsv${srv_id}m"
	ip link set "lvpsv${srv_id}m" up
	sysctl -qw "net.ipv6.conf.$srv_port.disable_ipv6=1"
	ip link set "$srv_port" up
	ip -n "$srv_ns" addr add "$srv_mgmt_ip/30" dev "lvpsv${srv_id}n"
	ip -n "$srv_ns" link set "lvpsv${srv_id}n" up
	ip -n "$srv_ns" link set lo up
	ip netns exec "$srv_ns" sysctl -qw "net.ipv6.conf.$srv_uplink.disable_ipv6=1"
	# TCP through af_xdp: the server's end sends full checksums.
	ip netns exec "$srv_ns" ethtool -K "$srv_uplink" tx off tso off gso off >/dev/null 2>&1 || true
	ssh-keygen -q -t ed25519 -N '' -f "$srv_dir/host_key"
	if [ -n "$k" ] && [ -n "$first_dir" ]; then  # the first server's client key
		cp "$first_dir/id" "$first_dir/id.pub" "$srv_dir/"
	else
		ssh-keygen -q -t ed25519 -N '' -f "$srv_dir/id"
	fi
	cp "$srv_dir/id.pub" "$srv_dir/authorized_keys"
	echo "$srv_mgmt_ip $(cat "$srv_dir/host_key.pub")" >"$srv_dir/known_hosts"
	[ -z "$k" ] || [ -z "$first_dir" ] || cat "$srv_dir/known_hosts" >>"$first_dir/known_hosts"
	mkdir -p "$srv_dir/bin"
	ln -s "$(realpath "$LVPERF")" "$srv_dir/bin/lvperf"
	cat >"$srv_dir/sshd_config" <<EOF
ListenAddress $srv_mgmt_ip:22
HostKey $srv_dir/host_key
AuthorizedKeysFile $srv_dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $srv_dir/sshd.pid
SetEnv PATH=$srv_dir/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
	cat >"$srv_dir/ssh_config" <<EOF
Host *
  User root
  IdentityFile $srv_dir/id
  IdentitiesOnly yes
  UserKnownHostsFile $srv_dir/known_hosts
  StrictHostKeyChecking yes
  ConnectTimeout 10
EOF
	[ -n "$k" ] && [ -n "$first_dir" ] || export LVPERF_SSH_CONFIG="$srv_dir/ssh_config"
	# sshd insists on its privilege separation directory.
	if [ ! -d /run/sshd ]; then mkdir -m 0755 /run/sshd; srv_made_run_sshd=1; fi
	# Only the network namespace: `ip netns exec` would mount a sysfs of
	# its own over /sys and hide the cgroup mounts the container platforms
	# need; a real server has its own /sys.
	nsenter --net="/run/netns/$srv_ns" /usr/sbin/sshd -D -e -f "$srv_dir/sshd_config" 2>"$srv_dir/sshd.log" &
	srv_sshd=$!
	for i in $(seq 50); do
		ssh -F "$srv_dir/ssh_config" -o BatchMode=yes "$srv_mgmt_ip" true 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$srv_dir/sshd.log" >&2
	echo "server_up: sshd in $srv_ns does not answer" >&2
	return 1
}

# One server's variables into VAR (a string) and back: for two servers.
server_save() {
	printf -v "$1" '%q ' "$srv_id" "$srv_ns" "$srv_mgmt_ip" "$srv_dir" "$srv_uplink" "$srv_port" "$srv_uri" "$srv_sshd"
}
server_load() {
	eval "set -- ${!1}"
	srv_id=$1 srv_ns=$2 srv_mgmt_ip=$3 srv_dir=$4 srv_uplink=$5 srv_port=$6 srv_uri=$7 srv_sshd=${8:-}
}

# Make the script's EXIT trap take the server down first.
server_trap() {
	trap 'rc=$?; server_down; (exit $rc); cleanup' EXIT INT TERM
}

server_down() {
	[ -n "${srv_ns:-}" ] || return 0
	if [ -n "$srv_sshd" ]; then
		kill -TERM "$srv_sshd" 2>/dev/null || true
		wait "$srv_sshd" 2>/dev/null || true
	fi
	# Processes the agent may have left are the server's (a test failed):
	# by PID, from the namespace's own list. TERM first, so an agent
	# removes its targets itself; then KILL, and what a killed agent
	# left goes by its ledger.
	local p i agents=
	for p in $(ip netns pids "$srv_ns" 2>/dev/null); do
		[ -e "/run/lvperf/$p.ledger" ] && agents+=" $p"
		kill -TERM "$p" 2>/dev/null || true
	done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(ip netns pids "$srv_ns" 2>/dev/null)" ] && break
		sleep 0.3
	done
	for p in $(ip netns pids "$srv_ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
	for p in $agents; do
		[ ! -e "/run/lvperf/$p.ledger" ] || "$LVPERF" cleanup --ledger "$p" >/dev/null 2>&1 || true
	done
	ip -n "$srv_ns" -o link show type bridge 2>/dev/null | grep -o 'lvpub[0-9]*' | xargs -r -n1 ip -n "$srv_ns" link del 2>/dev/null || true
	ip link del "lvpsv${srv_id}m" 2>/dev/null || true
	ip link del "$srv_port" 2>/dev/null || true
	ip netns del "$srv_ns" 2>/dev/null || true
	[ -z "$srv_made_run_sshd" ] || rmdir /run/sshd 2>/dev/null || true
	rm -rf "$srv_dir"
	srv_ns=
}

# What an agent of this server left: links beyond the management and
# uplink ends, processes beyond sshd's listener, target namespaces
# (lvpa<pid>-*), and open agent ledgers.
server_leftovers() {
	local left p
	left=$(ip -n "$srv_ns" -o link | awk -F': ' '{print $2}' | cut -d@ -f1 |
		{ grep -vx "lo\|lvpsv${srv_id}n\|$srv_uplink" || true; } | tr '\n' ' ')
	for p in $(ip netns pids "$srv_ns"); do
		[ "$p" = "$srv_sshd" ] || left+="pid $p ($(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | cut -c1-60)) "
	done
	left+=$(ls /run/netns 2>/dev/null | grep '^lvpa[0-9]*-' | tr '\n' ' ' || true)
	for p in "$@"; do  # agent PIDs
		[ ! -e "/run/lvperf/$p.ledger" ] || left+="ledger /run/lvperf/$p.ledger "
	done
	echo "$left" | sed 's/ *$//'
}
