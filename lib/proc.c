/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

extern char **environ;

static int proc_avoid = -1; /* the worker's CPU, -1: none */
static int proc_narrow;	    /* the control thread's mask contains it */

void proc_avoid_cpu(int cpu)
{
	cpu_set_t set;

	proc_avoid = cpu;
	proc_narrow = cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof(set), &set) == 0 &&
		      CPU_ISSET(cpu, &set) && CPU_COUNT(&set) > 1;
}

int proc_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	cpu_set_t old, narrow;
	int rc, narrowed = 0;

	if (proc_narrow && sched_getaffinity(0, sizeof(old), &old) == 0 && CPU_ISSET(proc_avoid, &old)) {
		narrow = old;
		CPU_CLR(proc_avoid, &narrow);
		narrowed = CPU_COUNT(&narrow) > 0 && sched_setaffinity(0, sizeof(narrow), &narrow) == 0;
	}
	rc = posix_spawnp(pid, file, fa, attr, argv, envp);
	if (narrowed)
		sched_setaffinity(0, sizeof(old), &old);
	return rc;
}

/* fd (0..2) from path opened with flags; 0, or -1 with errno. */
static int proc_child_open(int fd, const char *path, int flags, mode_t mode)
{
	int f = open(path, flags, mode);

	if (f < 0)
		return -1;
	if (f != fd) {
		if (dup2(f, fd) < 0)
			return -1;
		close(f);
	}
	return 0;
}

/*
 * The child of proc_spawn_fork, between vfork and exec: what the
 * posix_spawn path's file actions and attributes do, in the same order,
 * plus PR_SET_PDEATHSIG. It shares the parent's memory until exec, so it
 * only makes system calls and leaves its errno in *err. Never returns.
 */
static __attribute__((noinline, noreturn)) void proc_child(char *const argv[], const struct proc_io *io,
							   pid_t parent, volatile int *err)
{
	int wflags = O_WRONLY | O_CREAT | (io->append ? O_APPEND : O_TRUNC);
	mode_t mode = io->mode ? io->mode : 0600;
	struct sigaction dfl;
	struct rlimit rl;
	cpu_set_t set;
	sigset_t none;

	/* SIGKILL when the thread that spawned us exits; lvperf may have
	 * died between vfork and prctl: then our parent is someone else. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		goto fail;
	if (getppid() != parent) {
		*err = ESRCH;
		_exit(127);
	}
	if (proc_narrow && sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_ISSET(proc_avoid, &set)) {
		CPU_CLR(proc_avoid, &set);
		if (CPU_COUNT(&set) > 0)
			sched_setaffinity(0, sizeof(set), &set);
	}
	if (io->dir && chdir(io->dir) != 0)
		goto fail;
	if (io->in_fd > 2 ? dup2(io->in_fd, 0) < 0 : io->in && proc_child_open(0, io->in, O_RDONLY, 0) != 0)
		goto fail;
	if (io->out_fd > 2 ? dup2(io->out_fd, 1) < 0 : io->out && proc_child_open(1, io->out, wflags, mode) != 0)
		goto fail;
	if (io->err_fd > 2 ? dup2(io->err_fd, 2) < 0
	    : io->err == PROC_IO_STDOUT ? dup2(1, 2) < 0
	    : io->err && proc_child_open(2, io->err, wflags, mode) != 0)
		goto fail;
	if (close_range(3, ~0u, 0) != 0) { /* kernel < 5.9 */
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1u << 20)
			rl.rlim_cur = 1u << 20;
		for (int fd = 3; fd < (int)rl.rlim_cur; fd++)
			close(fd);
	}
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* EINVAL for SIGKILL, SIGSTOP, glibc's own */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
fail:
	*err = errno ? errno : EINVAL;
	_exit(127);
}

/*
 * proc_spawn_io with PR_SET_PDEATHSIG, which posix_spawn cannot set: vfork
 * (the parent waits until the child has exec'd or failed, as glibc's
 * posix_spawn does), every signal blocked across it so no handler of
 * lvperf's runs in the child before proc_child resets them.
 */
static int proc_spawn_fork(char *const argv[], const struct proc_io *io, pid_t *pid)
{
	volatile int err = 0;
	pid_t parent = getpid(), child;
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	child = vfork();
	if (child == 0)
		proc_child(argv, io, parent, &err);
	rc = child < 0 ? errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	if (err) { /* it exited 127 without exec: reap it, report why */
		rc = err;
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return -rc;
	}
	*pid = child;
	return 0;
}

int proc_spawn_io(char *const argv[], const struct proc_io *io, pid_t *pid)
{
	static const struct proc_io keep;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	mode_t mode;
	int rc, wflags;

	if (!io)
		io = &keep;
	if (io->pdeathsig)
		return proc_spawn_fork(argv, io, pid);
	mode = io->mode ? io->mode : 0600;
	wflags = O_WRONLY | O_CREAT | (io->append ? O_APPEND : O_TRUNC);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (io->dir)
		posix_spawn_file_actions_addchdir_np(&fa, io->dir);
	if (io->in_fd > 2)
		posix_spawn_file_actions_adddup2(&fa, io->in_fd, 0);
	else if (io->in)
		posix_spawn_file_actions_addopen(&fa, 0, io->in, O_RDONLY, 0);
	if (io->out_fd > 2)
		posix_spawn_file_actions_adddup2(&fa, io->out_fd, 1);
	else if (io->out)
		posix_spawn_file_actions_addopen(&fa, 1, io->out, wflags, mode);
	if (io->err_fd > 2)
		posix_spawn_file_actions_adddup2(&fa, io->err_fd, 2);
	else if (io->err == PROC_IO_STDOUT)
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	else if (io->err)
		posix_spawn_file_actions_addopen(&fa, 2, io->err, wflags, mode);
	/* Last: the dup2s above read descriptors of ours above 2. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* Nothing blocked, every signal at SIG_DFL: exec keeps a blocked mask
	 * and ignored signals, so lvperf's SIGPIPE/SIGINT handling would leak
	 * into the command. */
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	rc = proc_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -rc;
}

static int proc_spawn(char *const argv[], int quiet, const char *log, int pdeathsig, pid_t *pid)
{
	struct proc_io io = { .pdeathsig = pdeathsig };

	if (quiet) {
		io.out = "/dev/null";
		io.err = "/dev/null";
		io.append = 1;
	} else if (log) {
		io.out = log;
		io.err = PROC_IO_STDOUT;
		io.append = 1;
	}
	return proc_spawn_io(argv, &io, pid);
}

int proc_start(char *const argv[], int quiet, pid_t *pid)
{
	return proc_spawn(argv, quiet, NULL, 0, pid);
}

int proc_start_log(char *const argv[], const char *log, pid_t *pid)
{
	return proc_spawn(argv, 0, log, 0, pid);
}

static void proc_nap(void)
{
	struct timespec ts = { 0, 200 * 1000 };

	nanosleep(&ts, NULL);
}

static uint64_t proc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int proc_alive(pid_t pid)
{
	char path[48], buf[256], *rp;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* "PID (COMM) S ...": the state follows the last ')' (COMM may hold one). */
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X' && rp[2] != 'x';
}

int proc_wait(pid_t pid, uint64_t timeout_ns, int *status)
{
	uint64_t end = proc_now_ns() + timeout_ns;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (proc_now_ns() >= end)
			return -ETIMEDOUT;
		proc_nap();
	}
}

int proc_stop(pid_t pid, uint64_t grace_ns, int *status)
{
	int rc;

	if (kill(pid, SIGTERM) != 0 && errno != ESRCH)
		return -errno;
	rc = proc_wait(pid, grace_ns, status);
	if (rc != -ETIMEDOUT)
		return rc;
	kill(pid, SIGKILL);
	return proc_wait(pid, 10ull * 1000000000u, status);
}

int proc_run(char *const argv[], int quiet, uint64_t timeout_ns)
{
	pid_t pid;
	/* Waited for here: this thread outlives it, PDEATHSIG is safe. */
	int status, rc = proc_spawn(argv, quiet, NULL, 1, &pid);

	if (rc)
		return rc;
	rc = proc_wait(pid, timeout_ns, &status);
	if (rc == -ETIMEDOUT)
		rc = proc_stop(pid, 1000000000u, &status);
	if (rc)
		return rc;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *proc_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "wait status 0x%x", status);
	return buf;
}

/* Milliseconds from now to end for poll(), rounded up, at most INT_MAX. */
static int proc_ms_until(uint64_t end)
{
	uint64_t now = proc_now_ns(), ms;

	if (now >= end)
		return 0;
	ms = (end - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

int proc_output(char *const argv[], char *buf, size_t len, uint64_t timeout_ns)
{
	struct proc_io io = { .err = "/dev/null", .pdeathsig = 1 };
	uint64_t end = proc_now_ns() + timeout_ns;
	char sink[256];
	size_t got = 0;
	int fds[2], status, rc;
	pid_t pid;

	if (len == 0)
		return -EINVAL;
	buf[0] = 0;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	if (fds[1] <= 2) { /* our own stdio was closed: proc_io takes fds > 2 */
		int up = fcntl(fds[1], F_DUPFD_CLOEXEC, 3);

		close(fds[1]);
		if (up < 0) {
			rc = -errno;
			close(fds[0]);
			return rc;
		}
		fds[1] = up;
	}
	io.out_fd = fds[1];
	rc = proc_spawn_io(argv, &io, &pid);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		return rc;
	}
	/* Read to EOF (all writers gone) or the deadline, whichever first. */
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		int keep = got < len - 1;
		ssize_t n;
		int r;

		if (proc_now_ns() >= end) {
			rc = -ETIMEDOUT;
			break;
		}
		r = poll(&p, 1, proc_ms_until(end));
		if (r < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (r <= 0)
			continue;
		n = read(fds[0], keep ? buf + got : sink, keep ? len - 1 - got : sizeof(sink));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			rc = -errno;
			break;
		}
		if (keep)
			got += (size_t)n;
	}
	close(fds[0]);
	buf[got] = 0;
	while (got && buf[got - 1] == '\n')
		buf[--got] = 0;
	if (rc == 0) {
		uint64_t now = proc_now_ns();

		rc = proc_wait(pid, now < end ? end - now : 0, &status);
	}
	if (rc) {
		/* Timed out (or the pipe failed): kill it by PID and reap it. */
		kill(pid, SIGKILL);
		proc_wait(pid, 10ull * 1000000000u, &status);
		return rc;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int proc_reap_orphans(pid_t keep)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid();
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[64], buf[512], *p, state;
		int pid = atoi(e->d_name), ppid;
		FILE *f;

		if (pid <= 1 || pid == keep)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == self && state == 'Z' &&
		    waitpid(pid, NULL, WNOHANG) == pid)
			n++;
	}
	closedir(d);
	return n;
}
