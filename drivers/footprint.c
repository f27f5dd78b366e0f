/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "footprint.h"

/* Call fn(pid, arg) for every process; stops when fn returns nonzero. */
static void footprint_each(int (*fn)(pid_t pid, void *arg), void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) && fn((pid_t)atoi(e->d_name), arg))
			break;
	closedir(d);
}

static ino_t footprint_netns(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Does the namespace of pid have interface ifname? */
static int footprint_has_if(pid_t pid, const char *ifname)
{
	char path[64], line[256], want[40];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	snprintf(want, sizeof(want), "%s:", ifname);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *s = line + strspn(line, " ");

		found = !strncmp(s, want, strlen(want));
	}
	fclose(f);
	return found;
}

/* Is ip a local address of pid's namespace (a "/32 host LOCAL" leaf)? */
static int footprint_has_ip(pid_t pid, uint32_t ip)
{
	char path[64], line[256], want[24], prev[256] = "";
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/fib_trie", (int)pid);
	snprintf(want, sizeof(want), "|-- %s\n", pkt_format_ip(ip, (char[16]){ 0 }));
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *p = strstr(prev, "|-- ");

		found = p && !strcmp(p, want) && strstr(line, "/32 host LOCAL");
		snprintf(prev, sizeof(prev), "%s", line);
	}
	fclose(f);
	return found;
}

struct footprint_find {
	const char *ifname;
	uint32_t ip;
	ino_t ours, found;
	ino_t seen[512];
	int n_seen;
	int by_ip;
};

static int footprint_find_fn(pid_t pid, void *arg)
{
	struct footprint_find *f = arg;
	ino_t ns = footprint_netns(pid);
	int i;

	if (!ns || ns == f->ours)
		return 0;
	for (i = 0; i < f->n_seen; i++)
		if (f->seen[i] == ns)
			return 0;
	if (f->n_seen < (int)(sizeof(f->seen) / sizeof(f->seen[0])))
		f->seen[f->n_seen++] = ns;
	if (f->by_ip ? footprint_has_ip(pid, f->ip) : footprint_has_if(pid, f->ifname)) {
		f->found = ns;
		return 1;
	}
	return 0;
}

static void footprint_add(struct footprint_procs *p, pid_t pid)
{
	char path[64], comm[32] = "?";
	size_t used = strlen(p->names);
	FILE *f;

	if (p->n >= FOOTPRINT_PIDS_MAX)
		return;
	p->pids[p->n++] = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	if (used + 1 < sizeof(p->names))
		snprintf(p->names + used, sizeof(p->names) - used, "%s%s(%d)", used ? " " : "", comm,
			 (int)pid);
}

struct footprint_collect {
	ino_t ns;
	pid_t self;
	struct footprint_procs *p;
};

static int footprint_collect_fn(pid_t pid, void *arg)
{
	struct footprint_collect *c = arg;

	if (pid != c->self && footprint_netns(pid) == c->ns)
		footprint_add(c->p, pid);
	return 0;
}

int footprint_target_pids(const char *ifname, uint32_t ip, struct footprint_procs *p)
{
	struct footprint_find f;
	struct footprint_collect c;

	memset(p, 0, sizeof(*p));
	memset(&f, 0, sizeof(f));
	f.ifname = ifname;
	f.ip = ip;
	f.ours = footprint_netns(getpid());
	footprint_each(footprint_find_fn, &f);
	if (!f.found && ip) {
		f.n_seen = 0;
		f.by_ip = 1;
		footprint_each(footprint_find_fn, &f);
	}
	if (!f.found)
		return -ENOENT;
	c.ns = f.found;
	c.self = getpid();
	c.p = p;
	footprint_each(footprint_collect_fn, &c);
	return p->n ? p->n : -ENOENT;
}

/* Rss and Pss of pid in bytes from smaps_rollup. */
static int footprint_smaps(pid_t pid, int64_t *rss, int64_t *pss)
{
	char path[64], line[256];
	long long kb;
	int got = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Rss: %lld kB", &kb) == 1) {
			*rss = kb * 1024;
			got |= 1;
		} else if (sscanf(line, "Pss: %lld kB", &kb) == 1) {
			*pss = kb * 1024;
			got |= 2;
		}
	}
	fclose(f);
	return got == 3 ? 0 : -ENODATA;
}

int footprint_measure(struct footprint_procs *p)
{
	int i, ok = 0, rc = -ENOENT;

	p->rss = p->pss = 0;
	for (i = 0; i < p->n; i++) {
		int64_t rss = 0, pss = 0;

		rc = footprint_smaps(p->pids[i], &rss, &pss);
		if (rc == 0) {
			p->rss += rss;
			p->pss += pss;
			ok++;
		}
	}
	return ok ? 0 : rc;
}

/* Parent of pid from /proc/PID/stat (the field after the parenthesised
 * command, which may itself hold spaces and parentheses). */
static pid_t footprint_ppid(pid_t pid)
{
	char path[64], buf[512], *close;
	int ppid = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	close = strrchr(buf, ')');
	if (!close || sscanf(close + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

struct footprint_all {
	int n;
	pid_t pid[4096], ppid[4096];
};

static int footprint_all_fn(pid_t pid, void *arg)
{
	struct footprint_all *a = arg;

	if (a->n >= (int)(sizeof(a->pid) / sizeof(a->pid[0])))
		return 1;
	a->pid[a->n] = pid;
	a->ppid[a->n++] = footprint_ppid(pid);
	return 0;
}

static int footprint_in(const struct footprint_procs *p, pid_t pid)
{
	int i;

	for (i = 0; p && i < p->n; i++)
		if (p->pids[i] == pid)
			return 1;
	return 0;
}

int footprint_tree(pid_t root, int with_root, const struct footprint_procs *except,
		   struct footprint_procs *p)
{
	struct footprint_all *a = calloc(1, sizeof(*a));
	struct footprint_procs tree;
	int i, j;

	memset(p, 0, sizeof(*p));
	if (!a)
		return 0;
	footprint_each(footprint_all_fn, a);
	memset(&tree, 0, sizeof(tree));
	tree.pids[tree.n++] = root;
	/* Breadth first: tree grows while it is walked. */
	for (i = 0; i < tree.n && tree.n < FOOTPRINT_PIDS_MAX; i++)
		for (j = 0; j < a->n && tree.n < FOOTPRINT_PIDS_MAX; j++)
			if (a->ppid[j] == tree.pids[i] && a->pid[j] != root)
				tree.pids[tree.n++] = a->pid[j];
	for (i = with_root ? 0 : 1; i < tree.n; i++)
		if (!footprint_in(except, tree.pids[i]))
			footprint_add(p, tree.pids[i]);
	free(a);
	return p->n;
}

int footprint_by_comm(const struct footprint_procs *in, const char *comm, struct footprint_procs *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < in->n; i++) {
		char path[64], c[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)in->pids[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(c, sizeof(c), f))
			c[strcspn(c, "\n")] = 0;
		fclose(f);
		if (!strcmp(c, comm))
			footprint_add(out, in->pids[i]);
	}
	return out->n;
}

/* The memory cgroup line of /proc/PID/cgroup: v1 "N:...memory...:/path",
 * else v2 "0::/path". Sets *v2. */
static int footprint_cgroup_path(pid_t pid, char *path, size_t len, int *v2)
{
	char file[64], line[512], v2path[512] = "";
	int found = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	f = fopen(file, "r");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		line[strcspn(line, "\n")] = 0;
		*c2 = 0;
		if (c2 == c1 + 1) {
			snprintf(v2path, sizeof(v2path), "%s", c2 + 1);
			continue;
		}
		for (char *tok = strtok(c1 + 1, ","); tok; tok = strtok(NULL, ","))
			if (!strcmp(tok, "memory")) {
				snprintf(path, len, "%s", c2 + 1);
				found = 1;
			}
	}
	fclose(f);
	*v2 = !found;
	if (!found) {
		if (!v2path[0])
			return -ENOENT;
		snprintf(path, len, "%s", v2path);
	}
	return 0;
}

int64_t footprint_cgroup(pid_t pid, char *path, size_t len)
{
	char ours[512], file[PATH_MAX];
	long long v;
	int v2, v2o, rc;
	FILE *f;

	rc = footprint_cgroup_path(pid, path, len, &v2);
	if (rc)
		return rc;
	if (footprint_cgroup_path(getpid(), ours, sizeof(ours), &v2o) == 0 && v2 == v2o &&
	    !strcmp(ours, path))
		return -EEXIST;
	snprintf(file, sizeof(file), v2 ? "/sys/fs/cgroup%s/memory.current" :
					  "/sys/fs/cgroup/memory%s/memory.usage_in_bytes", path);
	f = fopen(file, "r");
	if (!f)
		return -errno;
	rc = fscanf(f, "%lld", &v);
	fclose(f);
	return rc == 1 ? (int64_t)v : -ENODATA;
}

int64_t footprint_cgroups(const struct footprint_procs *p, int64_t *bytes, char *paths, size_t len)
{
	char seen[8][256];
	int64_t each[8];
	int n = 0, i, j;

	for (i = 0; i < p->n && n < 8; i++) {
		char path[256];
		int64_t v = footprint_cgroup(p->pids[i], path, sizeof(path));
		int dup = 0;

		for (j = 0; j < n && !dup; j++)
			dup = !strncmp(path, seen[j], strlen(seen[j])) &&
			      (path[strlen(seen[j])] == 0 || path[strlen(seen[j])] == '/');
		if (dup)
			continue;
		snprintf(seen[n], sizeof(seen[n]), "%s", path);
		each[n++] = v;
	}
	*bytes = n ? each[0] : -ENOENT;
	snprintf(paths, len, "%s", n ? seen[0] : "");
	for (i = 1; i < n; i++) {
		size_t used = strlen(paths);

		if (each[i] >= 0 && *bytes >= 0)
			*bytes += each[i];
		else if (each[i] < 0 && each[i] != -EEXIST)
			*bytes = each[i];
		snprintf(paths + used, len - used, " %s", seen[i]);
	}
	return *bytes;
}
