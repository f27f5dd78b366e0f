/* SPDX-License-Identifier: BSD-3-Clause
 * Running commands: argv arrays through posix_spawn (never a shell), the
 * child keeping only stdin/stdout/stderr, always reaped by us.
 */
#ifndef LVP_PROC_H
#define LVP_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <spawn.h>
#include <sys/types.h>

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

/* posix_spawnp() under the restriction of proc_avoid_cpu; same contract. */
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

/* SIGTERM pid, wait up to grace_ns, then SIGKILL; always reaps it.
 * Returns 0 with the wait status, or -errno. */
int proc_stop(pid_t pid, uint64_t grace_ns, int *status);

/*
 * Run argv to completion within timeout_ns (killed after it). Returns the
 * exit status (0..255), 128 + signal, or -errno.
 */
int proc_run(char *const argv[], int quiet, uint64_t timeout_ns);

/*
 * Run argv to completion within timeout_ns and collect its stdout (at
 * most len - 1 bytes, NUL-terminated, trailing newline removed); stderr
 * goes to /dev/null. Returns the exit status as proc_run() does.
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
