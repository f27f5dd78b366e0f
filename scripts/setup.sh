#!/usr/bin/env bash
# Prepare a Debian 12 machine for lvperf, as root: install the packages it
# needs, reserve 2 MiB hugepages, mount hugetlbfs, build into build/.
# Idempotent; sourced by run.sh and test.sh, or run on its own.
set -euo pipefail

LVP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LVP_PACKAGES=(
	gcc libc6-dev meson ninja-build pkg-config clang libbpf-dev libxdp-dev
	libdpdk-dev libnuma-dev libhwloc-dev libgsl-dev libjansson-dev libcyaml-dev libyaml-dev libcmocka-dev gnuplot-nox fonts-dejavu-core
	iproute2 ethtool iputils-ping python3 procps util-linux nginx-light redis-server redis-tools runc crun lxc lxd lxd-client podman docker.io containerd runsc
	qemu-system-x86 busybox-static xz-utils zstd libvirt-daemon libvirt-daemon-driver-qemu libvirt-daemon-driver-lxc libvirt-clients tini debootstrap e2fsprogs
	scdoc
	openssh-client openssh-server
	chromium
	libclang-rt-14-dev nftables
)
LVP_HUGEPAGES=${LVP_HUGEPAGES:-256}

lvp_say() { echo "setup: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
	echo "setup: lvperf drives DPDK ports and network namespaces: run as root" >&2
	exit 1
fi

missing=()
for p in "${LVP_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	lvp_say "installing ${missing[*]}"
	apt-get update -q >/dev/null
	# No package may start its daemon (docker.io, lxc-net, redis, nginx):
	# lvperf starts what it needs itself, inside lvp namespaces.
	own_policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		own_policy=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

total=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
if [ "${total:-0}" -lt "$LVP_HUGEPAGES" ]; then
	lvp_say "reserving $LVP_HUGEPAGES hugepages of 2 MiB"
	echo "$LVP_HUGEPAGES" > /proc/sys/vm/nr_hugepages || true
	total=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
	[ "${total:-0}" -ge 32 ] || lvp_say "only ${total:-0} hugepages could be reserved: lvperf falls back to --no-huge"
fi
if ! awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
	lvp_say "mounting hugetlbfs on /dev/hugepages"
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages
fi

cd "$LVP_ROOT"
if [ ! -f build/build.ninja ]; then
	meson setup build -Dwerror=true >/dev/null
fi
ninja -C build >/dev/null
lvp_say "built build/lvperf and build/beacon"
