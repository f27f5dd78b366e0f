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
#   server_up               sets srv_ns srv_uri srv_uplink srv_port srv_dir srv_sshd
#   server_down
#   server_leftovers        prints what the agent left in the server, if anything

srv_sshd=
srv_made_run_sshd=

server_up() {
	local n=$(($$ % 200)) i
	srv_ns="lvpsv$$"
	srv_mgmt_ip="10.248.$n.2"
	srv_dir=$(mktemp -d /tmp/lvpsv.XXXXXX)
	srv_uplink="lvpsv$$u"  # the server's end of the cable
	srv_port="lvpsv$$a"    # the appliance's end: the dataplane's af_xdp port
	srv_uri="ssh://root@$srv_mgmt_ip"
	ip netns add "$srv_ns"
	ip link add "lvpsv$$m" type veth peer name "lvpsv$$n" netns "$srv_ns"
	ip link add "$srv_port" type veth peer name "$srv_uplink" netns "$srv_ns"
	ip addr add "10.248.$n.1/30" dev "lvpsv$$m"
	ip link set "lvpsv$$m" up
	sysctl -qw "net.ipv6.conf.$srv_port.disable_ipv6=1"
	ip link set "$srv_port" up
	ip -n "$srv_ns" addr add "$srv_mgmt_ip/30" dev "lvpsv$$n"
	ip -n "$srv_ns" link set "lvpsv$$n" up
	ip -n "$srv_ns" link set lo up
	ip netns exec "$srv_ns" sysctl -qw "net.ipv6.conf.$srv_uplink.disable_ipv6=1"
	# TCP through af_xdp: the server's end sends full checksums.
	ip netns exec "$srv_ns" ethtool -K "$srv_uplink" tx off tso off gso off >/dev/null 2>&1 || true
	ssh-keygen -q -t ed25519 -N '' -f "$srv_dir/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$srv_dir/id"
	cp "$srv_dir/id.pub" "$srv_dir/authorized_keys"
	echo "$srv_mgmt_ip $(cat "$srv_dir/host_key.pub")" >"$srv_dir/known_hosts"
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
	export LVPERF_SSH_CONFIG="$srv_dir/ssh_config"
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
	# by PID, from the namespace's own list.
	for p in $(ip netns pids "$srv_ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
	ip -n "$srv_ns" -o link show type bridge 2>/dev/null | grep -o 'lvpub[0-9]*' | xargs -r -n1 ip -n "$srv_ns" link del 2>/dev/null || true
	ip link del "lvpsv$$m" 2>/dev/null || true
	ip link del "$srv_port" 2>/dev/null || true
	ip netns del "$srv_ns" 2>/dev/null || true
	[ -z "$srv_made_run_sshd" ] || rmdir /run/sshd 2>/dev/null || true
	rm -rf "$srv_dir"
	srv_ns=
}

# What an agent of this server left: links beyond the management and
# uplink ends, processes beyond sshd's listener, target namespaces
# (lvpa<pid>_*), and open agent ledgers.
server_leftovers() {
	local left p
	left=$(ip -n "$srv_ns" -o link | awk -F': ' '{print $2}' | cut -d@ -f1 |
		{ grep -vx "lo\|lvpsv$$n\|$srv_uplink" || true; } | tr '\n' ' ')
	for p in $(ip netns pids "$srv_ns"); do
		[ "$p" = "$srv_sshd" ] || left+="pid $p ($(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null | cut -c1-60)) "
	done
	left+=$(ls /run/netns 2>/dev/null | grep '^lvpa[0-9]*_' | tr '\n' ' ' || true)
	for p in "$@"; do  # agent PIDs
		[ ! -e "/run/lvperf/$p.ledger" ] || left+="ledger /run/lvperf/$p.ledger "
	done
	echo "$left" | sed 's/ *$//'
}
