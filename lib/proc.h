/* SPDX-License-Identifier: BSD-3-Clause
 * Running commands: argv arrays through posix_spawn (never a shell), the
 * child keeping only stdin/stdout/stderr, always reaped by us. Every spawn
 * of lvperf goes through proc_spawn_io() (the others are built on it): the
 * child gets no descriptor above 2, nothing blocked and every signal at
 * its default, whatever lvperf holds or blocks or ignores.
 */
#ifndef LVP_PROC_H
#define LVP_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <spawn.h>
#include <sys/types.h>

/*
 * Where a spawned command's stdin, stdout and stderr come from and where it
 * runs (proc_spawn_io). Zeroed fields keep lvperf's own: designated
 * initializers name only what changes.
 */
struct proc_io {
	const char *dir;	/* chdir here first (then relative paths below are
				 * opened from it); NULL: lvperf's directory */
	const char *in;		/* stdin read from this file; NULL: lvperf's */
	int in_fd;		/* > 2: this descriptor of ours (a pipe's read end)
				 * becomes stdin instead of in */
	const char *out;	/* stdout to this file, created (mode) and truncated,
				 * or appended when append; NULL: lvperf's */
	const char *err;	/* stderr likewise; PROC_IO_STDOUT: where stdout goes */
	int out_fd;		/* > 2: this descriptor of ours (a pipe's write end)
				 * becomes stdout instead of out */
	int err_fd;		/* > 2: likewise for stderr */
	mode_t mode;		/* of the files out and err create; 0: 0600 */
	int append;		/* open out and err with O_APPEND, not O_TRUNC */
	int pdeathsig;		/* the child is SIGKILLed when the calling THREAD
				 * exits (PR_SET_PDEATHSIG; a fork path, not
				 * posix_spawn): only for a child that thread
				 * waits for (proc_run, proc_output), never a
				 * daemon another thread stops later */
};

/* proc_io.err: stderr goes where stdout goes. */
#define PROC_IO_STDOUT ((const char *)1)

/*
 * Start argv[0] (searched in PATH unless it holds a '/') with argv and the
 * environment, stdio as io says (NULL: all lvperf's). In the child every
 * descriptor above 2 is closed (inherited ones without FD_CLOEXEC too),
 * the signal mask is empty and every signal's disposition is the default
 * (an ignored SIGPIPE or SIGHUP of lvperf's is not inherited). Honours
 * proc_avoid_cpu. Returns 0 with *pid set (the caller reaps it), or -errno
 * (ENOENT: no such program; also a file of io that cannot be opened or a
 * missing dir, glibc reporting the child's failure before exec).
 */
int proc_spawn_io(char *const argv[], const struct proc_io *io, pid_t *pid);

/*
 * Start argv[0] (searched in PATH) with argv. All descriptors above 2 are
 * closed in the child; quiet sends its stdout and stderr to /dev/null.
 * Returns 0 with *pid set, or -errno (ENOENT: no such program).
 */
int proc_start(char *const argv[], int quiet, pid_t *pid);

/*
 * Keep every command started from now on (proc_start, proc_start_log,
 * proc_run, proc_output, proc_spawnp) off CPU cpu, the dataplane worker's:
 * when the calling thread may run on cpu, each spawn narrows the thread's
 * mask around posix_spawn so the child inherits it without cpu; when it
 * may not (the control thread after EAL pinned it), nothing is done.
 * Call again (same cpu) after the calling thread's affinity changed.
 * cpu < 0: no restriction.
 */
void proc_avoid_cpu(int cpu);

/* posix_spawnp() under the restriction of proc_avoid_cpu; same contract.
 * The raw call: it does not close descriptors or reset signals (fa and
 * attr are the caller's); use proc_spawn_io() for commands. */
int proc_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);

/* proc_start() with stdout and stderr appended to the file log (made 0600
 * when missing): for daemons whose exact error lvperf reports. */
int proc_start_log(char *const argv[], const char *log, pid_t *pid);

/*
 * Wait up to timeout_ns for pid to exit. Returns 0 with the raw wait status
 * in *status, -ETIMEDOUT when it is still running, or -errno.
 */
int proc_wait(pid_t pid, uint64_t timeout_ns, int *status);

/* 1 when pid runs (exists and is not a zombie), else 0. */
int proc_alive(pid_t pid);

/* SIGTERM pid, wait up to grace_ns, then SIGKILL; always reaps it.
 * Returns 0 with the wait status, or -errno. */
int proc_stop(pid_t pid, uint64_t grace_ns, int *status);

/*
 * Run argv to completion within timeout_ns (killed after it). Returns the
 * exit status (0..255), 128 + signal, or -errno. The command dies with
 * lvperf (proc_io.pdeathsig): a SIGKILLed lvperf leaves no helper command
 * (podman rm, runc delete, ...) running to make state after cleanup.
 */
int proc_run(char *const argv[], int quiet, uint64_t timeout_ns);

/*
 * Run argv to completion within timeout_ns and collect its stdout (at
 * most len - 1 bytes, NUL-terminated, trailing newline removed; the rest
 * is read and dropped); stderr goes to /dev/null. The timeout covers the
 * reading too: a command that neither exits nor closes its stdout (nor
 * anything it left holding the pipe) is SIGKILLed by PID when it runs
 * out, reaped, and -ETIMEDOUT returned with what it wrote so far in buf.
 * Returns the exit status as proc_run() does, -ETIMEDOUT, or -errno.
 * Like proc_run's, the command dies with lvperf (proc_io.pdeathsig).
 */
int proc_output(char *const argv[], char *buf, size_t len, uint64_t timeout_ns);

/*
 * Reap every child of ours that has exited, except keep (0: none). With
 * PR_SET_CHILD_SUBREAPER set, orphans of the platforms (containerd shims,
 * conmon) become our children when their parents exit: this PID 1 reaps
 * nobody, so lvperf does. Returns how many were reaped.
 */
int proc_reap_orphans(pid_t keep);

/* "exited with status 3", "killed by signal 9" into buf. */
const char *proc_status_str(int status, char *buf, size_t len);

#endif
