/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "image.h"
#include "ledger.h"
#include "proc.h"

#define LEDGER_MAX_OPEN 1024
#define LEDGER_CMD_TIMEOUT (10ull * 1000000000u)

static int ledger_fd = -1;
static unsigned ledger_open_count;

/* LEDGER_DIR is ours: a directory (not a link to one) of this user that
 * nobody else may write in. */
static int ledger_dir_ours(void)
{
	struct stat st;

	return lstat(LEDGER_DIR, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       !(st.st_mode & 022);
}

int ledger_name_pid(const char *name)
{
	size_t n = strspn(name, "0123456789");
	long pid;

	if (n == 0 || n > 9 || name[0] == '0' || strcmp(name + n, ".ledger") != 0)
		return 0;
	pid = strtol(name, NULL, 10);
	return pid > 1 && pid <= INT_MAX ? (int)pid : 0;
}

int ledger_path_ok(const char *name)
{
	char cache[PATH_MAX], images[PATH_MAX + 16], path[PATH_MAX];
	const char *roots[3] = { "/tmp/lvp", "/run/lxc/lock/tmp/lvp", images };
	const char *p, *slash;
	size_t i, n, rlen = 0;
	struct stat st;

	image_cache_root(cache, sizeof(cache));
	snprintf(images, sizeof(images), "%s/images/", cache);
	for (i = 0; i < 3 && !rlen; i++)
		if (strncmp(name, roots[i], strlen(roots[i])) == 0 && name[strlen(roots[i])])
			rlen = (size_t)(strrchr(roots[i], '/') - roots[i]) + 1;
	/* in the image cache, only an image under construction (image.c) */
	if (rlen && i == 3 && (!(p = strrchr(name, '/')) || strncmp(p, "/lvptmp-", 8) != 0))
		return 0;
	if (!rlen || strlen(name) >= sizeof(path) || strstr(name, "/..") || strstr(name, "//"))
		return 0;
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	/* Each component from the lvp one down: no link to follow, and the
	 * lvp one made by this user, writable by nobody else. */
	for (p = name + rlen;; p = slash + 1) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - name) : strlen(name);
		memcpy(path, name, n);
		path[n] = 0;
		if (lstat(path, &st) != 0)
			return errno == ENOENT; /* nothing there to follow */
		if (S_ISLNK(st.st_mode))
			return 0;
		if (p == name + rlen && (st.st_uid != geteuid() || (st.st_mode & 022)))
			return 0;
		if (!slash || !slash[1])
			return 1;
	}
}

int ledger_mkdir(const char *dir, mode_t mode)
{
	int rc = ledger_add(LEDGER_DIRECTORY, dir);

	if (rc)
		return rc;
	if (mkdir(dir, mode) != 0) {
		rc = -errno;
		ledger_done(LEDGER_DIRECTORY, dir); /* not ours to remove */
		return rc;
	}
	return 0;
}

void ledger_run_dir(char *buf, size_t len, const char *tag, const char *what)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	char sfx[sizeof(r) + 1];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* no entropy yet: still not guessable before the run starts */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)((unsigned long)ts.tv_nsec >> (i * 5) ^ (unsigned long)getpid() >> i);
	}
	for (i = 0; i < sizeof(r); i++)
		sfx[i] = digits[r[i] % (sizeof(digits) - 1)];
	sfx[sizeof(r)] = 0;
	snprintf(buf, len, "/tmp/lvp%s-%s.%s", tag, what, sfx);
}

static int ledger_write(char sign, const char *kind, const char *name)
{
	char line[LEDGER_LINE];
	int n;

	if (ledger_fd < 0) {
		char path[64];

		if (mkdir(LEDGER_DIR, 0700) != 0 && errno != EEXIST)
			return -errno;
		if (!ledger_dir_ours())
			return -EPERM;
		snprintf(path, sizeof(path), LEDGER_DIR "/%d.ledger", (int)getpid());
		ledger_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (ledger_fd < 0)
			return -errno;
	}
	n = snprintf(line, sizeof(line), "%c%s %s\n", sign, kind, name);
	if (n <= 0 || (size_t)n >= sizeof(line) || strchr(name, '\n'))
		return -EINVAL;
	if (write(ledger_fd, line, (size_t)n) != n || fdatasync(ledger_fd) != 0)
		return -errno;
	return 0;
}

int ledger_add(const char *kind, const char *name)
{
	int rc = ledger_write('+', kind, name);

	if (rc == 0)
		ledger_open_count++;
	return rc;
}

int ledger_done(const char *kind, const char *name)
{
	int rc = ledger_write('-', kind, name);

	if (rc == 0 && ledger_open_count)
		ledger_open_count--;
	return rc;
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
static unsigned long long ledger_starttime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	p = strrchr(buf, ')'); /* the name may hold spaces */
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

static void ledger_pid_name(pid_t pid, unsigned long long start, char *buf, size_t len)
{
	snprintf(buf, len, "%d %llu", (int)pid, start);
}

int ledger_add_pid(pid_t pid)
{
	char name[64];

	ledger_pid_name(pid, ledger_starttime(pid), name, sizeof(name));
	return ledger_add(LEDGER_PID, name);
}

int ledger_done_pid(pid_t pid)
{
	char name[16];

	/* The process is reaped: its number closes the line written at start. */
	snprintf(name, sizeof(name), "%d", (int)pid);
	return ledger_done(LEDGER_PID, name);
}

void ledger_close(void)
{
	char path[64];

	if (ledger_fd < 0)
		return;
	close(ledger_fd);
	ledger_fd = -1;
	if (ledger_open_count == 0) {
		snprintf(path, sizeof(path), LEDGER_DIR "/%d.ledger", (int)getpid());
		unlink(path);
	}
}

/* Is pid a running lvperf? */
static int ledger_owner_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return strncmp(comm, "lvperf", 6) == 0;
}

static int ledger_run(char *const argv[])
{
	return proc_run(argv, 1, LEDGER_CMD_TIMEOUT);
}

static int ledger_rmdir_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path); /* cgroup directories hold only kernel files */
	return 0;
}

int ledger_rmdir_cgroup(const char *name)
{
	DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *e;
	int removed = 0;

	if (!d || strncmp(name, "lvp", 3) != 0 || strchr(name, '/') || strstr(name, "..")) {
		if (d)
			closedir(d);
		return 0;
	}
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", e->d_name, name);
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		nftw(path, ledger_rmdir_fn, 16, FTW_DEPTH | FTW_PHYS);
		removed += stat(path, &st) != 0;
	}
	closedir(d);
	return removed;
}

/* What ledger_kill_fn signalled, to wait until it is reaped. */
static pid_t ledger_killed[256];
static unsigned ledger_n_killed;

static int ledger_kill_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char procs[PATH_MAX];
	FILE *f;
	int pid;

	(void)st;
	(void)ftw;
	if (flag != FTW_D && flag != FTW_DP)
		return 0;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	f = fopen(procs, "r");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid > 1 && pid != getpid() && kill(pid, SIGKILL) == 0 &&
		    ledger_n_killed < sizeof(ledger_killed) / sizeof(ledger_killed[0]))
			ledger_killed[ledger_n_killed++] = pid;
	fclose(f);
	return 0;
}

/* The controllers a platform's processes are looked for in (not every
 * platform uses every one). */
static const char *const ledger_kill_ctrl[] = { "memory", "pids", "cpu", "freezer", "devices" };

/* With do_kill: SIGKILL every process in a dead run's cgroup (a platform's
 * daemonized helpers outlive lvperf: libvirt_lxc, conmon). 1 when the
 * cgroup exists in one of ledger_kill_ctrl. */
static int ledger_cgroup_found(const char *name, int do_kill)
{
	char path[PATH_MAX];
	int found = 0;

	if (strncmp(name, "lvp", 3) != 0 || strchr(name, '/') || strstr(name, ".."))
		return 0;
	for (size_t i = 0; i < sizeof(ledger_kill_ctrl) / sizeof(ledger_kill_ctrl[0]); i++) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", ledger_kill_ctrl[i], name);
		if (access(path, F_OK) == 0) {
			found = 1;
			if (do_kill)
				nftw(path, ledger_kill_fn, 16, FTW_DEPTH | FTW_PHYS);
		}
	}
	return found;
}

int ledger_kill_cgroup(const char *name)
{
	unsigned n;

	ledger_n_killed = 0;
	ledger_cgroup_found(name, 1);
	n = ledger_n_killed;
	for (int w = 0; w < 100; w++) {
		unsigned left = 0;

		for (unsigned k = 0; k < n; k++) {
			waitpid(ledger_killed[k], NULL, WNOHANG); /* ours: reaped; else ECHILD */
			left += proc_alive(ledger_killed[k]);
		}
		if (!left)
			break;
		usleep(20000);
	}
	return (int)n;
}

/* 1 while cgroup name is in any hierarchy under /sys/fs/cgroup. */
static int ledger_cgroup_exists(const char *name)
{
	DIR *d = opendir("/sys/fs/cgroup");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", e->d_name, name);
		found = access(path, F_OK) == 0;
	}
	if (d)
		closedir(d);
	return found;
}

/* A dead run's cgroup, its processes already killed (ledger_cleanup_file):
 * removed from every hierarchy, retried for up to 10 s while the killed
 * still leave it (conmon, under load). Removed in some hierarchies only
 * is not done: the soak found such halves left. */
static int ledger_undo_cgroup(const char *name)
{
	int i, removed = 0;

	for (i = 0; i < 200; i++) {
		removed += ledger_rmdir_cgroup(name);
		if (!ledger_cgroup_exists(name))
			break;
		usleep(50000);
	}
	return removed > 0;
}

/* dir is a kept store of the image cache, CACHE/lvp-NAME[/...], reached
 * through no link from CACHE on. */
static int ledger_kept_ok(const char *dir)
{
	char cache[PATH_MAX], path[PATH_MAX];
	size_t clen, n;
	const char *p, *slash;
	struct stat st;

	image_cache_root(cache, sizeof(cache));
	clen = strlen(cache);
	if (strncmp(dir, cache, clen) != 0 || strncmp(dir + clen, "/lvp-", 5) != 0 || strstr(dir, "/..") ||
	    strlen(dir) >= sizeof(path))
		return 0;
	for (p = dir + clen + 1;; p = slash + 1) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - dir) : strlen(dir);
		memcpy(path, dir, n);
		path[n] = 0;
		if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode) || st.st_uid != geteuid())
			return 0;
		if (!slash || !slash[1])
			return 1;
	}
}

int ledger_cgroup_join(const char *name, pid_t pid)
{
	char path[PATH_MAX];
	int rc = 0;
	FILE *f;

	if (strncmp(name, "lvp", 3) != 0 || strchr(name, '/') || strstr(name, ".."))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(ledger_kill_ctrl) / sizeof(ledger_kill_ctrl[0]); i++) {
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s", ledger_kill_ctrl[i]);
		if (access(path, F_OK) != 0)
			continue; /* not mounted here */
		snprintf(path, sizeof(path), "/sys/fs/cgroup/%s/%s", ledger_kill_ctrl[i], name);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			rc = -errno;
			continue;
		}
		strncat(path, "/cgroup.procs", sizeof(path) - strlen(path) - 1);
		f = fopen(path, "w");
		if (!f || fprintf(f, "%d\n", (int)pid) < 0)
			rc = -errno;
		if (f && fclose(f) != 0)
			rc = -errno;
	}
	return rc;
}

int ledger_umount_under(const char *dir)
{
	static char mnt[64][PATH_MAX];
	char line[8192];
	size_t dlen = strlen(dir);
	int n = 0, done = 0, i;
	FILE *f;

	if (!(strncmp(dir, "/tmp/lvp", 8) == 0 && ledger_path_ok(dir)) && !ledger_kept_ok(dir))
		return 0;
	f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return 0;
	/* Field 5 is the mount point; later lines are mounted on top of earlier ones. */
	while (n < 64 && fgets(line, sizeof(line), f)) {
		char point[PATH_MAX];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && strncmp(point, dir, dlen) == 0 &&
		    (point[dlen] == '/' || point[dlen] == 0))
			snprintf(mnt[n++], sizeof(mnt[0]), "%s", point);
	}
	fclose(f);
	for (i = n - 1; i >= 0; i--)
		done += umount2(mnt[i], MNT_DETACH | UMOUNT_NOFOLLOW) == 0;
	return done;
}

/* Connect to the stream socket at path and hang up: 0 when something
 * answered, else -errno (-ENAMETOOLONG for a path sun_path cannot hold). */
static int ledger_unix_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

int ledger_lxd_answers(const char *lxd_dir)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/unix.socket", lxd_dir) >= sizeof(path))
		return 0;
	return ledger_unix_connect(path) == 0;
}

/* lxc (LXD's client) on the daemon whose LXD_DIR and client config a
 * LEDGER_LXD entry names: delete the lvp object it made. */
static int ledger_undo_lxd(const char *entry)
{
	char type[16], name[64], dir[LEDGER_LINE], conf[LEDGER_LINE];
	char env_dir[LEDGER_LINE + 16], env_conf[LEDGER_LINE + 16];
	char *argv[10] = { "env", env_dir, env_conf, "lxc" };
	int n = 4, i;

	if (sscanf(entry, "%15s %63s %511s %511s", type, name, dir, conf) != 4 ||
	    strncmp(name, "lvp", 3) != 0 || strncmp(conf, "/tmp/lvp", 8) != 0 || !ledger_path_ok(conf))
		return 0;
	snprintf(env_dir, sizeof(env_dir), "LXD_DIR=%s", dir);
	snprintf(env_conf, sizeof(env_conf), "LXD_CONF=%s", conf);
	if (strcmp(type, "instance") == 0) {
		argv[n++] = "delete";
		argv[n++] = "-f";
	} else if (strcmp(type, "image") == 0 || strcmp(type, "profile") == 0 ||
		   strcmp(type, "storage") == 0) {
		argv[n++] = type;
		argv[n++] = "delete";
	} else {
		return 0;
	}
	argv[n++] = name;
	argv[n] = NULL;
	if (!ledger_lxd_answers(dir))
		return 0; /* no daemon: what it held went with it */
	/* An instance may be busy with the stop the dead run began. */
	for (i = 0; i < 20; i++) {
		if (ledger_run(argv) == 0)
			return 1;
		if (strcmp(type, "instance") != 0)
			break;
		usleep(500000);
	}
	return 0;
}

/* The lxd that lvperf started under DIR: a clean shutdown (it stops the
 * instances and unmounts), then whatever it left mounted. */
static int ledger_undo_lxdd(const char *dir)
{
	char env_dir[LEDGER_LINE + 16];
	char *argv[] = { "env", env_dir, "lxd", "shutdown", "--timeout=8", NULL };
	int ok;

	if (strncmp(dir, "/tmp/lvp", 8) != 0 || !ledger_path_ok(dir))
		return 0;
	snprintf(env_dir, sizeof(env_dir), "LXD_DIR=%s/var", dir);
	ok = ledger_run(argv) == 0;
	return ledger_umount_under(dir) > 0 || ok;
}

const char *const ledger_spill_paths[] = {
	"/etc/docker/key.json", "/etc/docker", "/run/docker/plugins", "/run/docker",
	"/run/containerd/s", "/run/containerd", "/run/runc", "/run/crun",
	"/var/lib/containers/cache/blob-info-cache-v1.boltdb", "/var/lib/containers/cache",
	"/var/lib/containers", NULL,
};

/*
 * containerd puts its shims' sockets in /run/containerd/s whatever its own
 * root (the path is built in). A shim killed with its cgroup (dockerd died,
 * or cleanup after kill -9) leaves its socket file, and the directory lvperf
 * noted as its spill could not go. Dead sockets only: a live shim's (a
 * containerd that is not lvperf's, started since) still answers.
 */
static void ledger_spill_dead_sockets(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && ledger_unix_connect(path) == -ECONNREFUSED)
			unlink(path);
	}
	if (d)
		closedir(d);
}

int ledger_spill_remove(const char *name)
{
	struct stat st;
	size_t i;

	for (i = 0; ledger_spill_paths[i] && strcmp(ledger_spill_paths[i], name); i++)
		;
	if (!ledger_spill_paths[i] || lstat(name, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode) && strcmp(name, "/run/containerd/s") == 0)
		ledger_spill_dead_sockets(name);
	return (S_ISDIR(st.st_mode) ? rmdir(name) : unlink(name)) == 0;
}

/* runc states (/run/runc, podman's runtime root) of containers that
 * podman started for run NAME (their cgroups are under /NAME/libpod-*)
 * and no longer knows: a `podman run` killed with lvperf still had runc
 * create them after cleanup's `podman rm`. Returns how many were deleted. */
static int ledger_podman_runc_orphans(const char *name)
{
	DIR *d = opendir("/run/runc");
	char needle[64];
	struct dirent *e;
	int n = 0;

	snprintf(needle, sizeof(needle), "/%.40s/libpod-", name);
	while (d && (e = readdir(d))) {
		char path[PATH_MAX], *buf, *argv[] = { "runc", "--root", "/run/runc", "delete", "-f", e->d_name, NULL };
		size_t len;
		int mine;

		if (strspn(e->d_name, "0123456789abcdef") != strlen(e->d_name) || strlen(e->d_name) < 12)
			continue;
		snprintf(path, sizeof(path), "/run/runc/%s/state.json", e->d_name);
		if (file_read(path, &buf, &len) != 0)
			continue;
		mine = strstr(buf, needle) != NULL;
		free(buf);
		if (mine && ledger_run(argv) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* Remove one resource; 1 when something was removed. */
static int ledger_undo(const char *kind, const char *name, FILE *out)
{
	if (strcmp(kind, LEDGER_NETNS) == 0 || strcmp(kind, LEDGER_LINK) == 0) {
		char *argv[] = { "ip", strcmp(kind, LEDGER_NETNS) == 0 ? "netns" : "link", "del",
				 (char *)name, NULL };

		if (strncmp(name, "lvp", 3) != 0 || ledger_run(argv) != 0)
			return 0; /* gone already (a link dies with its namespace) */
	} else if (strcmp(kind, LEDGER_PID) == 0) {
		int pid = 0;
		unsigned long long start = 0;

		if (sscanf(name, "%d %llu", &pid, &start) != 2 || pid <= 1 ||
		    ledger_starttime(pid) != start || kill(pid, SIGKILL) != 0)
			return 0;
		/* Gone (or a zombie) before the files recorded ahead of it
		 * are removed: a dying daemon may still write them. Up to 5 s
		 * (a process in D state outlasts SIGKILL). */
		for (int w = 0; w < 500; w++) {
			waitpid(pid, NULL, WNOHANG); /* ours: reaped; else ECHILD */
			if (!proc_alive(pid))
				break;
			usleep(10000);
		}
	} else if (strcmp(kind, LEDGER_SPILL) == 0) {
		if (!ledger_spill_remove(name))
			return 0;
	} else if (strcmp(kind, LEDGER_PODMAN) == 0) {
		char store[LEDGER_LINE], id[LEDGER_LINE], root[LEDGER_LINE + 8], run[LEDGER_LINE + 8],
			tmp[LEDGER_LINE + 8];
		char *argv[] = { "podman", "--root", root, "--runroot", run, "--tmpdir", tmp,
				 "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime",
				 "runc", "rm", "-f", id, NULL };

		if (sscanf(name, "%511s %511s", store, id) != 2 || strncmp(id, "lvp", 3) != 0 ||
		    !ledger_kept_ok(store))
			return 0;
		snprintf(root, sizeof(root), "%s/root", store);
		snprintf(run, sizeof(run), "%s/run", store);
		snprintf(tmp, sizeof(tmp), "%s/tmp", store);
		{
			int gone = ledger_run(argv) == 0;

			if (!gone) { /* the killed `podman run` may still be writing it */
				usleep(1000000);
				gone = ledger_run(argv) == 0;
			}
			gone += ledger_podman_runc_orphans(id);
			if (!gone)
				return 0; /* no such container: nothing was left */
		}
	} else if (strcmp(kind, LEDGER_UMOUNTS) == 0) {
		if (ledger_umount_under(name) == 0)
			return 0;
	} else if (strcmp(kind, LEDGER_DIRECTORY) == 0) {
		char *argv[] = { "rm", "-rf", "--one-file-system", "--", (char *)name, NULL };
		struct stat st;

		/* what a killed tool left mounted inside (dockerd's nsfs
		 * mounts under exec/netns) would stop rm at its file system */
		ledger_umount_under(name);
		/* /tmp/lvp*, LXC's locks of them, images under construction
		 * CACHE/images/lvptmp-* (image.c); nothing reached by a link. */
		if (!ledger_path_ok(name) || lstat(name, &st) != 0 || ledger_run(argv) != 0)
			return 0;
	} else if (strcmp(kind, LEDGER_CGROUP) == 0) {
		if (!ledger_undo_cgroup(name))
			return 0;
	} else if (strcmp(kind, LEDGER_LXC) == 0) {
		char path[LEDGER_LINE], id[LEDGER_LINE];
		char *argv[] = { "lxc-stop", "-P", path, "-n", id, "-k", NULL };

		if (sscanf(name, "%511s %511s", path, id) != 2 || strncmp(path, "/tmp/lvp", 8) != 0 ||
		    !ledger_path_ok(path) || ledger_run(argv) != 0)
			return 0;
	} else if (strcmp(kind, LEDGER_LXD) == 0) {
		if (!ledger_undo_lxd(name))
			return 0;
	} else if (strcmp(kind, LEDGER_LXDD) == 0) {
		if (!ledger_undo_lxdd(name))
			return 0;
	} else if (strcmp(kind, LEDGER_MOUNT) == 0) {
		char *argv[] = { "umount", "-l", (char *)name, NULL };

		if (strncmp(name, "/tmp/lvp", 8) != 0 || !ledger_path_ok(name) || ledger_run(argv) != 0)
			return 0;
	} else if (strcmp(kind, LEDGER_RUNC) == 0 || strcmp(kind, LEDGER_CRUN) == 0) {
		char root[LEDGER_LINE], id[LEDGER_LINE];
		char *argv[] = { (char *)kind, "--root", root, "delete", "-f", id, NULL };

		if (sscanf(name, "%511s %511s", root, id) != 2 || strncmp(root, "/tmp/lvp", 8) != 0 ||
		    !ledger_path_ok(root) || ledger_run(argv) != 0)
			return 0;
	} else {
		return 0;
	}
	if (out)
		fprintf(out, "removed %s %s\n", kind, name);
	return 1;
}

int ledger_parse(FILE *f, char (*open_kind)[16], char (*open_name)[LEDGER_LINE], int max)
{
	char line[LEDGER_LINE];
	int n = 0, i;

	while (fgets(line, sizeof(line), f)) {
		char kind[16], name[LEDGER_LINE];

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line + (line[0] != 0), "%15s %511[^\n]", kind, name) != 2)
			continue;
		if (line[0] == '+' && n < max) {
			strcpy(open_kind[n], kind);
			strcpy(open_name[n], name);
			n++;
		} else if (line[0] == '-') {
			for (i = n - 1; i >= 0; i--) {
				/* a pid is closed by its number alone */
				size_t len = strlen(name);

				if (strcmp(open_kind[i], kind) == 0 &&
				    (strcmp(open_name[i], name) == 0 ||
				     (strcmp(kind, LEDGER_PID) == 0 && strncmp(open_name[i], name, len) == 0 &&
				      open_name[i][len] == ' '))) {
					memmove(open_kind[i], open_kind[i + 1], (size_t)(n - i - 1) * sizeof(open_kind[0]));
					memmove(open_name[i], open_name[i + 1], (size_t)(n - i - 1) * sizeof(open_name[0]));
					n--;
					break;
				}
			}
		}
	}
	return n;
}

/* Undo what one dead process's ledger still holds. */
static int ledger_cleanup_file(const char *path, FILE *out)
{
	static char open_kind[LEDGER_MAX_OPEN][16], open_name[LEDGER_MAX_OPEN][LEDGER_LINE];
	int n, removed = 0, i, fd;
	struct stat st;
	FILE *f;

	/* Only a regular file of ours that nobody else may write, not a link. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) ||
	    !(f = fdopen(fd, "r"))) {
		close(fd);
		return -EPERM;
	}
	n = ledger_parse(f, open_kind, open_name, LEDGER_MAX_OPEN);
	fclose(f);
	/* What still runs in the run's cgroups goes first, while the
	 * subreapers the run started (tini under libvirtd) are alive to reap
	 * it: orphaned to PID 1, which reaps nobody here, it would stay a
	 * zombie that pins its cgroup. */
	ledger_n_killed = 0;
	for (i = n - 1; i >= 0; i--)
		if (strcmp(open_kind[i], LEDGER_CGROUP) == 0)
			ledger_cgroup_found(open_name[i], 1);
	for (int w = 0; w < 100; w++) { /* up to 2 s for their reapers */
		unsigned left = 0;

		for (unsigned k = 0; k < ledger_n_killed; k++)
			left += kill(ledger_killed[k], 0) == 0;
		if (!left)
			break;
		usleep(20000);
	}
	for (i = n - 1; i >= 0; i--)
		removed += ledger_undo(open_kind[i], open_name[i], out);
	unlink(path);
	return removed;
}

/* rm -rf DIR/lvp-<pid>* entries whose pid is not alive (only, when
 * only > 0). */
static int ledger_sweep_prefix_dir(const char *dir, pid_t only, FILE *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[PATH_MAX];
		int pid;

		if (sscanf(e->d_name, "lvp-%d", &pid) != 1 || pid <= 1 || (only > 0 && pid != only) ||
		    ledger_owner_alive(pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		{
			char *argv[] = { "rm", "-rf", "--", path, NULL };

			if (ledger_run(argv) == 0) {
				removed++;
				if (out)
					fprintf(out, "removed %s\n", path);
			}
		}
	}
	closedir(d);
	return removed;
}

int ledger_cleanup(FILE *out)
{
	DIR *d = ledger_dir_ours() ? opendir(LEDGER_DIR) : NULL;
	struct dirent *e;
	int removed = 0, rc;

	if (d) {
		while ((e = readdir(d))) {
			char path[PATH_MAX];
			int pid = ledger_name_pid(e->d_name);

			if (!pid || pid == (int)getpid() || ledger_owner_alive(pid))
				continue;
			snprintf(path, sizeof(path), LEDGER_DIR "/%s", e->d_name);
			rc = ledger_cleanup_file(path, out);
			if (rc > 0)
				removed += rc;
		}
		closedir(d);
	}
	removed += ledger_sweep_prefix_dir("/var/run/dpdk", 0, out);
	removed += ledger_sweep_prefix_dir("/dev/hugepages", 0, out);
	return removed;
}

int ledger_cleanup_pid(pid_t pid, FILE *out)
{
	char path[64];
	int rc;

	if (pid <= 1 || pid == getpid())
		return -EINVAL;
	if (ledger_owner_alive(pid))
		return -EBUSY;
	if (!ledger_dir_ours())
		return -EPERM;
	snprintf(path, sizeof(path), LEDGER_DIR "/%d.ledger", (int)pid);
	if (access(path, F_OK) != 0)
		return -ENOENT;
	rc = ledger_cleanup_file(path, out);
	if (rc < 0)
		return rc;
	/* Its DPDK runtime directory and hugepage files too. */
	return rc + ledger_sweep_prefix_dir("/var/run/dpdk", pid, out) +
	       ledger_sweep_prefix_dir("/dev/hugepages", pid, out);
}
