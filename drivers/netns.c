/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "ledger.h"
#include "netns.h"
#include "proc.h"

#define NETNS_CMD_TIMEOUT (10ull * 1000000000u)

static int netns_run(char *err, size_t errlen, char *const argv[])
{
	int rc = proc_run(argv, 1, NETNS_CMD_TIMEOUT);
	char cmd[256] = "";
	int i;

	if (rc == 0)
		return 0;
	for (i = 0; argv[i]; i++) {
		strncat(cmd, argv[i], sizeof(cmd) - strlen(cmd) - 2);
		strcat(cmd, " ");
	}
	if (rc < 0)
		snprintf(err, errlen, "cannot run '%s': %s", cmd, strerror(-rc));
	else
		snprintf(err, errlen, "'%s' failed with status %d", cmd, rc);
	return rc < 0 ? rc : -EIO;
}

#define RUN(...) netns_run(err, errlen, (char *const[]){ __VA_ARGS__, NULL })

static void netns_sysctl(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

int netns_link_create(struct netns_link *l, const char *tag, uint32_t peer_ip, uint8_t prefix_len,
		      int seg_offloads_off, char *err, size_t errlen)
{
	char addr[24], ip[16], path[96];
	int rc;

	memset(l, 0, sizeof(*l));
	if (strlen(tag) > 10) {
		snprintf(err, errlen, "netns tag '%s' is longer than 10 characters", tag);
		return -EINVAL;
	}
	snprintf(l->ns, sizeof(l->ns), "lvp%s", tag);
	snprintf(l->host_if, sizeof(l->host_if), "lvp%sh", tag);
	snprintf(l->peer_if, sizeof(l->peer_if), "lvp%sp", tag);
	l->peer_ip = peer_ip;
	l->prefix_len = prefix_len;
	snprintf(addr, sizeof(addr), "%s/%u", pkt_format_ip(peer_ip, ip), prefix_len);

	rc = ledger_add(LEDGER_NETNS, l->ns);
	if (rc) {
		snprintf(err, errlen, "cannot write the ledger in " LEDGER_DIR ": %s", strerror(-rc));
		return rc;
	}
	rc = RUN("ip", "netns", "add", l->ns);
	if (rc) {
		ledger_done(LEDGER_NETNS, l->ns);
		return rc;
	}
	l->created |= 1;
	ledger_add(LEDGER_LINK, l->host_if);
	rc = RUN("ip", "link", "add", l->host_if, "type", "veth", "peer", "name", l->peer_if, "netns", l->ns);
	if (rc) {
		ledger_done(LEDGER_LINK, l->host_if);
		goto fail;
	}
	l->created |= 2;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", l->host_if);
	netns_sysctl(path, "1");
	rc = RUN("ip", "-n", l->ns, "addr", "add", addr, "dev", l->peer_if);
	if (!rc)
		rc = RUN("ip", "-n", l->ns, "link", "set", "lo", "up");
	if (!rc)
		rc = RUN("ip", "-n", l->ns, "link", "set", l->peer_if, "up");
	if (!rc)
		rc = RUN("ip", "link", "set", l->host_if, "up");
	if (!rc && seg_offloads_off)
		rc = RUN("ip", "netns", "exec", l->ns, "ethtool", "-K", l->peer_if, "tso", "off", "gso",
			 "off");
	if (rc)
		goto fail;
	return 0;
fail:
	netns_link_destroy(l);
	return rc;
}

void netns_link_destroy(struct netns_link *l)
{
	char err[256];
	size_t errlen = sizeof(err);

	if (l->created & 2) {
		RUN("ip", "link", "del", l->host_if);
		ledger_done(LEDGER_LINK, l->host_if);
	}
	if (l->created & 1) {
		RUN("ip", "netns", "del", l->ns);
		ledger_done(LEDGER_NETNS, l->ns);
	}
	l->created = 0;
}

int netns_veth_create(struct netns_link *l, const char *tag, int seg_offloads_off, char *err,
		      size_t errlen)
{
	char path[96];
	int rc;

	memset(l, 0, sizeof(*l));
	if (strlen(tag) > 10) {
		snprintf(err, errlen, "veth tag '%s' is longer than 10 characters", tag);
		return -EINVAL;
	}
	snprintf(l->host_if, sizeof(l->host_if), "lvp%sh", tag);
	snprintf(l->peer_if, sizeof(l->peer_if), "lvp%sp", tag);
	rc = ledger_add(LEDGER_LINK, l->host_if);
	if (rc) {
		snprintf(err, errlen, "cannot write the ledger in " LEDGER_DIR ": %s", strerror(-rc));
		return rc;
	}
	rc = RUN("ip", "link", "add", l->host_if, "type", "veth", "peer", "name", l->peer_if);
	if (rc) {
		ledger_done(LEDGER_LINK, l->host_if);
		return rc;
	}
	l->created |= 2;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", l->host_if);
	netns_sysctl(path, "1");
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", l->peer_if);
	netns_sysctl(path, "1");
	rc = RUN("ip", "link", "set", l->host_if, "up");
	if (!rc && seg_offloads_off)
		rc = RUN("ethtool", "-K", l->peer_if, "tso", "off", "gso", "off");
	if (rc)
		netns_link_destroy(l);
	return rc;
}
