/* SPDX-License-Identifier: BSD-3-Clause
 * The ledger: every resource lvperf creates outside its own memory (network
 * namespaces, links, processes, directories) is written down, and synced,
 * before it is created, so that `lvperf cleanup` can remove what a crashed
 * or killed run left behind. One file per lvperf process,
 * LEDGER_DIR/<pid>.ledger, one line per event: "+KIND NAME" before a
 * resource is made, "-KIND NAME" after it is gone. A clean exit removes
 * the file.
 */
#ifndef LVP_LEDGER_H
#define LVP_LEDGER_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define LEDGER_DIR "/run/lvperf"
#define LEDGER_LINE 512 /* longest line, newline included */

/* Kinds of resources, and how cleanup removes them. */
#define LEDGER_NETNS "netns" /* ip netns del NAME */
#define LEDGER_LINK "link"   /* ip link del NAME */
#define LEDGER_PID "pid"     /* "PID STARTTIME": SIGKILL if still that process */
/* rm -rf --one-file-system NAME: only /tmp/lvp*, LXC's lock dirs of them,
 * and unfinished image builds CACHE/images/lvptmp-* */
#define LEDGER_DIRECTORY "dir"
#define LEDGER_CGROUP "cgroup" /* rmdir /sys/fs/cgroup/<every controller>/NAME, deepest first */
#define LEDGER_RUNC "runc"     /* "ROOT NAME": runc --root ROOT delete -f NAME */
#define LEDGER_LXC "lxc"       /* "LXCPATH NAME": lxc-stop -P LXCPATH -n NAME -k */
#define LEDGER_CRUN "crun"     /* "ROOT NAME": crun --root ROOT delete -f NAME */
#define LEDGER_MOUNT "mount"   /* umount -l NAME (only under /tmp/lvp*) */
#define LEDGER_LXD "lxd"       /* "TYPE NAME LXD_DIR LXD_CONF": lxc delete -f / image, profile or
				* storage delete NAME (TYPE instance, image, profile, storage) */
#define LEDGER_LXDD "lxdd"     /* DIR: the lxd lvperf started with LXD_DIR=DIR/var: lxd shutdown,
				* then umount -l what it left mounted under DIR */
/* DIR: detach every mount under DIR, DIR itself kept (a platform's kept
 * store in the image cache, CACHE/lvp-*, or a /tmp/lvp* directory):
 * dockerd's bind mount of its data root and overlays, podman's merged and
 * shm mounts. Recorded before the tool that mounts there starts. */
#define LEDGER_UMOUNTS "umounts"
/* "STORE NAME": podman (runc, cgroupfs) on the kept store STORE
 * (CACHE/lvp-podman: STORE/root, /run, /tmp) removes container NAME, and
 * with it the overlay "merged" and userdata/shm mounts it made there. */
#define LEDGER_PODMAN "podman"
/* A path a platform's own tool makes outside lvp names (dockerd's
 * /etc/docker/key.json, /run/docker/plugins, ...), noted only when it was
 * absent before lvperf started the tool: a file is unlinked, a directory
 * removed only when empty. Only the paths in ledger_spill_paths. */
#define LEDGER_SPILL "spill"

/* The paths LEDGER_SPILL may remove, deepest first, NULL-terminated. */
extern const char *const ledger_spill_paths[];

/* Remove spill path name (one of ledger_spill_paths) the LEDGER_SPILL way;
 * 1 when it was removed. */
int ledger_spill_remove(const char *name);

/* 1 when lvperf's cleanup may remove path name: under one of its own
 * state roots (/tmp/lvp*, /run/lxc/lock/tmp/lvp*, CACHE/images/.../lvptmp-*),
 * without "..", "//" or control characters, and no component from the lvp
 * one down a symbolic link, the lvp one owned by this user and writable by
 * nobody else (a missing component ends the check: nothing to follow). */
int ledger_path_ok(const char *name);

/* The pid of a ledger file named exactly "<pid>.ledger" (no sign, no
 * leading zero, pid > 1), else 0. */
int ledger_name_pid(const char *name);

/* Make run directory dir with mode, recorded in the ledger first. A
 * directory (or anything) already there is never reused: -EEXIST, and
 * the record is closed, so that neither this run nor cleanup touches it.
 * Returns 0 or -errno. */
int ledger_mkdir(const char *dir, mode_t mode);

/* The name of a run directory in the world-writable /tmp:
 * /tmp/lvp<tag>-<what>.<six random letters and digits> (getrandom), so that
 * no other user can make it first and have the run refuse (ledger_mkdir
 * never reuses one). The tag and what keep cleanup's and the tests'
 * globs (/tmp/lvp<tag>-*) working. */
void ledger_run_dir(char *buf, size_t len, const char *tag, const char *what);

/* Record that kind/name is about to be created (+) or is gone (-).
 * Opens this process's ledger on first use. Returns 0 or -errno. */
int ledger_add(const char *kind, const char *name);
int ledger_done(const char *kind, const char *name);

/* Record a child process: its PID and start time (from /proc), so cleanup
 * never signals a PID the kernel has since given to another process. */
int ledger_add_pid(pid_t pid);
int ledger_done_pid(pid_t pid);

/* Make cgroup name (lvp-prefixed, recorded as LEDGER_CGROUP by the
 * caller first) in the controllers cleanup kills in, and move pid there:
 * what pid forks from then on (a daemon's helpers, their shims) is found
 * and killed by cleanup even when re-parented. Returns 0 or -errno. */
int ledger_cgroup_join(const char *name, pid_t pid);

/* SIGKILL every process left in cgroup name (lvp-prefixed) and wait up to
 * 2 s for them to go, reaping those that are lvperf's children: what a
 * platform daemon that died left running (containerd's shims and their
 * containers after dockerd was killed). Returns how many were signalled. */
int ledger_kill_cgroup(const char *name);

/* Remove the cgroup directory name (lvp-prefixed) from every controller,
 * children first. Returns how many directories were removed. */
int ledger_rmdir_cgroup(const char *name);

/* Detach every mount under dir (a /tmp/lvp* directory, or a kept store
 * CACHE/lvp-*), deepest first, following no link. Returns how many were
 * unmounted. */
int ledger_umount_under(const char *dir);

/* 1 when an LXD daemon answers on LXD_DIR/unix.socket. */
int ledger_lxd_answers(const char *lxd_dir);

/* Read a ledger from f: the entries still open ("+KIND NAME" lines not
 * closed by a later "-KIND NAME"; a pid closed by its number alone), at
 * most max, in the order they were made, into open_kind/open_name.
 * Malformed lines are skipped. Returns how many. Runs nothing. */
int ledger_parse(FILE *f, char (*open_kind)[16], char (*open_name)[LEDGER_LINE], int max);

/* At a clean exit: remove this process's ledger if nothing in it is
 * still open. */
void ledger_close(void);

/*
 * Undo what the ledgers of dead lvperf processes still hold, newest first,
 * and remove DPDK runtime directories and hugepage files (lvp-<pid>) of
 * dead processes. Each removal is printed to out (when not NULL). Returns
 * the number of resources removed, or -errno.
 */
int ledger_cleanup(FILE *out);

/* ledger_cleanup() for the ledger of one dead lvperf process only:
 * -ENOENT without one, -EBUSY while that lvperf runs. */
int ledger_cleanup_pid(pid_t pid, FILE *out);

#endif
