/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"
#include "mntns.h"
#include "proc.h"

#define MNTNS_TIMEOUT (30ull * 1000000000u)

int mntns_create(struct mntns *m, const char *base, const char *name, char *err, size_t len)
{
	char *bind[] = { "mount", "--bind", m->dir, m->dir, NULL };
	char *priv[] = { "mount", "--make-private", m->dir, NULL };
	char *uns[] = { "unshare", m->nsarg, "--propagation", "slave", "true", NULL };
	int fd;

	memset(m, 0, sizeof(*m));
	snprintf(m->dir, sizeof(m->dir), "%.140s/mntns", base);
	snprintf(m->file, sizeof(m->file), "%.159s/%.15s", m->dir, name);
	snprintf(m->nsarg, sizeof(m->nsarg), "--mount=%.175s", m->file);
	if (mkdir(m->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, len, "cannot create %s: %s", m->dir, strerror(errno));
		return -errno;
	}
	ledger_add(LEDGER_MOUNT, m->dir);
	m->made = 1;
	if (proc_run(bind, 1, MNTNS_TIMEOUT) != 0 || proc_run(priv, 1, MNTNS_TIMEOUT) != 0) {
		snprintf(err, len, "cannot make %s a private mount", m->dir);
		return -EIO;
	}
	fd = open(m->file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, len, "cannot create %s: %s", m->file, strerror(errno));
		return -errno;
	}
	close(fd);
	ledger_add(LEDGER_MOUNT, m->file);
	if (proc_run(uns, 1, MNTNS_TIMEOUT) != 0) {
		snprintf(err, len, "cannot create the mount namespace %s", m->file);
		return -EIO;
	}
	return 0;
}

int mntns_run(const struct mntns *m, const char *const *words)
{
	char *argv[16];
	size_t n = 0, i;

	argv[n++] = "nsenter";
	argv[n++] = (char *)m->nsarg;
	for (i = 0; words[i] && n < 15; i++)
		argv[n++] = (char *)words[i];
	argv[n] = NULL;
	return proc_run(argv, 1, MNTNS_TIMEOUT);
}

void mntns_destroy(struct mntns *m)
{
	char *u1[] = { "umount", "-l", m->file, NULL }, *u2[] = { "umount", "-l", m->dir, NULL };

	if (!m->made)
		return;
	proc_run(u1, 1, MNTNS_TIMEOUT);
	ledger_done(LEDGER_MOUNT, m->file);
	proc_run(u2, 1, MNTNS_TIMEOUT);
	ledger_done(LEDGER_MOUNT, m->dir);
	m->made = 0;
}
