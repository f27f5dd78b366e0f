/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "app.h"
#include "server.h"

int app_server_open(const char *cmd, const struct app_server_opts *o, int need_wire,
		    struct remote **r)
{
	char err[REMOTE_ERR_LEN];

	*r = NULL;
	if (!o->server) {
		if (o->uplink || o->identity) {
			fprintf(stderr, "lvperf %s: --uplink and --identity go with --server\n",
				cmd);
			return APP_USAGE;
		}
		return 0;
	}
	if (need_wire && !o->uplink) {
		fprintf(
		    stderr,
		    "lvperf %s: --server needs --uplink IFACE (the server's interface cabled to "
		    "the appliance's dataplane port, given with --port)\n",
		    cmd);
		return APP_USAGE;
	}
	*r = remote_open(o->server, o->identity, o->uplink, err, sizeof(err));
	if (!*r) {
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
		return APP_ERR;
	}
	return 0;
}

const struct driver *app_server_driver(const char *cmd, struct remote *r, const char *platform)
{
	char err[REMOTE_ERR_LEN];
	const struct driver *d;

	if (!r) {
		d = driver_find(platform);
		if (!d)
			fprintf(stderr, "lvperf %s: no platform '%s' (see lvperf platforms)\n", cmd,
				platform);
		return d;
	}
	d = remote_driver(r, platform, err, sizeof(err));
	if (!d)
		fprintf(stderr, "lvperf %s: %s\n", cmd, err);
	return d;
}
