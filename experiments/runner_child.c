/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf run's child process: one lvperf command per point or calibration
 * phase, started through proc_spawn_io (no descriptor of ours, every
 * signal at its default), its stdout read as JSON, its stderr kept in the
 * run's logs, a timeout, and the signals that stop the run (the running child gets
 * SIGTERM; it also gets it when the runner dies, LVPERF_PARENT, see
 * app/main.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "proc.h"
#include "runner_int.h"

static volatile sig_atomic_t run_stop;
static volatile pid_t run_child;

static void on_signal(int sig)
{
	run_stop = sig;
	if (run_child > 0)
		kill(run_child, SIGTERM);
}

void run_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int run_stopped(void)
{
	return run_stop;
}

const volatile sig_atomic_t *run_stop_flag(void)
{
	return &run_stop;
}

double run_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void run_utc_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void run_arg(struct run_argv *a, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (a->n >= RUN_ARGV_MAX - 1 || a->used >= sizeof(a->store))
		return;
	va_start(ap, fmt);
	w = vsnprintf(a->store + a->used, sizeof(a->store) - a->used, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof(a->store) - a->used)
		return;
	a->v[a->n++] = a->store + a->used;
	a->v[a->n] = NULL;
	a->used += (size_t)w + 1;
}

int run_child_cmd(char *const argv[], const char *logpath, uint64_t timeout_ns, struct child_out *out)
{
	struct proc_io io = {0};
	int pfd[2], rc, logfd;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	pid_t pid;
	double deadline = run_mono_s() + (double)timeout_ns * 1e-9;

	memset(out, 0, sizeof(*out));
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	/* proc_spawn_io takes descriptors above 2 (ours might be 0..2 when
	 * lvperf's stdio was closed). */
	if (pfd[1] <= 2) {
		int fd = fcntl(pfd[1], F_DUPFD_CLOEXEC, 3);

		close(pfd[1]);
		if (fd < 0) {
			close(pfd[0]);
			return -errno;
		}
		pfd[1] = fd;
	}
	logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	io.out_fd = pfd[1];
	io.err_fd = logfd > 2 ? logfd : 0;
	rc = proc_spawn_io(argv, &io, &pid);
	close(pfd[1]);
	if (logfd >= 0)
		close(logfd);
	if (rc) {
		close(pfd[0]);
		return rc;
	}
	run_child = pid;
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno != EAGAIN && errno != EINTR)
			break;
		if (run_mono_s() > deadline) {
			snprintf(out->why, sizeof(out->why), "no result within %.0f s: stopped",
				 (double)timeout_ns * 1e-9);
			kill(pid, SIGTERM);
			deadline = run_mono_s() + 1e9; /* proc_stop below does the rest */
			break;
		}
		usleep(20000);
	}
	close(pfd[0]);
	proc_stop(pid, 10000000000ull, &out->status);
	run_child = 0;
	proc_reap_orphans(0);
	if (buf) {
		buf[len] = 0;
		out->json = json_loads(buf, 0, NULL);
		free(buf);
	}
	if (!out->why[0] && !(WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0)) {
		/* The child's own one-line error is the last line of its log. */
		FILE *f = fopen(logpath, "r");
		char line[300];

		if (f) {
			/* lvperf's own last line, else the last line at all (EAL,
			 * libxdp chatter comes after it sometimes). */
			char any[300] = "";

			while (fgets(line, sizeof(line), f)) {
				if (line[0] == '\n')
					continue;
				snprintf(any, sizeof(any), "%s", line);
				if (strncmp(line, "lvperf ", 7) == 0)
					snprintf(out->why, sizeof(out->why), "%s", line);
			}
			if (!out->why[0])
				snprintf(out->why, sizeof(out->why), "%s", any);
			fclose(f);
		}
		out->why[strcspn(out->why, "\n")] = 0;
		if (!out->why[0])
			proc_status_str(out->status, out->why, sizeof(out->why));
	}
	return 0;
}

