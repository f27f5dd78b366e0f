/* SPDX-License-Identifier: BSD-3-Clause
 * A private mount namespace kept in a file (a bind mount of nsfs), for
 * runtimes that need a different view of /sys or /proc than the host's
 * (crun: no cgroup v2 mount; runsc: no /proc/sys/net). It is a slave of
 * ours, so network namespaces made later are seen inside. Commands run in
 * it as `nsenter --mount=FILE ...`: argv, no shell.
 */
#ifndef LVP_MNTNS_H
#define LVP_MNTNS_H

#include <stddef.h>

struct mntns {
	char dir[160];	/* a private bind mount holding the file */
	char file[176];
	char nsarg[192]; /* --mount=FILE, for argv */
	int made;
};

/* Make the namespace under base (an lvp directory) as base/mntns/NAME;
 * both mounts go to the ledger first. Returns 0 or -errno with err. */
int mntns_create(struct mntns *m, const char *base, const char *name, char *err, size_t len);

/* Run words (NULL-terminated) inside it, quietly. Returns the exit status. */
int mntns_run(const struct mntns *m, const char *const *words);

/* Unmount both mounts and close their ledger entries. */
void mntns_destroy(struct mntns *m);

#endif
