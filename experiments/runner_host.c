/* SPDX-License-Identifier: BSD-3-Clause
 * lvperf run, host VMs (spec host:, issue 15): the runner boots a target's
 * host VM itself (drivers/hostvm.h) when the run reaches the target's
 * first point, keeps it up while that target's points run back to back
 * (run_plan groups them), and stops it before the next target. Each point's
 * child uses the running VM's agent (--host with --server, --identity,
 * --uplink and --port, app/server.c) instead of booting its own, so the VM's
 * boot is measured once, written to DIR/raw/host_vms.jsonl, and never part
 * of a container's startup.
 *
 * raw/host_vms.jsonl, one line per event (fsync'd): "up" (boot_ns, the
 * host_vm object), "failed" (reason: the target's remaining points fail
 * with it), "down" (QEMU's RSS just before it was stopped, seconds up).
 * QEMU, the taps and the VM's directory are in the runner's ledger (they
 * are made by hostvm_boot), so a killed run leaves them to `lvperf
 * cleanup`, and `lvperf run --resume` boots the VM again for the points
 * left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "format.h"
#include "hostvm.h"
#include "proc.h"
#include "runner_int.h"

struct run_host {
	struct hostvm vm;
	int up;		 /* vm is up for target */
	unsigned target; /* valid when up */
	double t_up;	 /* run_mono_s() when it came up */
	struct run_live_host live;
	char why[SPEC_MAX_TARGETS][420]; /* the boot's failure, "" */
};

static struct run_host run_host_state;

static void host_event(const struct runner *r, json_t *o)
{
	char path[600], utc[32], *s;
	int fd;

	run_utc_now(utc, sizeof(utc));
	json_object_set_new(o, "utc", json_string(utc));
	json_object_set_new(o, "format", json_integer(LVP_FORMAT));
	snprintf(path, sizeof(path), "%s/raw/host_vms.jsonl", r->dir);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
	json_decref(o);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (s && fd >= 0) {
		size_t len = strlen(s);

		s[len] = '\n'; /* json_dumps' NUL: one write for the line */
		if (write(fd, s, len + 1) != (ssize_t)(len + 1) || fsync(fd))
			fprintf(stderr, "\nlvperf run: cannot write %s: %s\n", path,
				strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	free(s);
}

void run_host_leave(struct runner *r)
{
	struct run_host *h = &run_host_state;
	int64_t rss;

	if (!h->up)
		return;
	rss = hostvm_rss(&h->vm);
	hostvm_destroy(&h->vm);
	unsetenv("LVPERF_SSH_CONFIG");
	h->up = 0;
	host_event(r, json_pack("{s:s, s:s, s:o, s:f}", "event", "down", "target",
				r->s->targets[h->target].name, "rss_bytes",
				rss < 0 ? json_null() : json_integer(rss), "up_s",
				run_mono_s() - h->t_up));
	if (!r->o->quiet)
		fprintf(stderr, "\nlvperf run: host VM of %s stopped\n",
			r->s->targets[h->target].name);
}

const struct run_live_host *run_host_enter(struct runner *r, unsigned target)
{
	struct run_host *h = &run_host_state;
	const struct spec_target *t = &r->s->targets[target];
	struct hostvm_config c;
	char err[400];
	int worker = -1;

	if (!t->host[0])
		return NULL;
	if (h->up && h->target == target)
		return &h->live;
	run_host_leave(r); /* another target's: its points are done */
	if (h->why[target][0])
		return NULL;
	if (hostvm_config_parse(t->host, t->host_opts, &c, err, sizeof(err))) {
		snprintf(h->why[target], sizeof(h->why[target]), "host VM: %s", err);
		goto failed;
	}
	if (!r->o->quiet)
		fprintf(stderr,
			"\nlvperf run: booting the host VM of %s (qemu %s %s, %u MiB): minutes "
			"under TCG\n",
			t->name, c.machine, c.accel, c.mem_mib);
	/* QEMU's threads off the dataplane worker's CPU, as a command's own
	 * --host does; the children pin themselves. */
	if (r->o->worker_cpu)
		worker = r->o->worker_cpu(r->s->cores[0] ? r->s->cores : NULL);
	proc_avoid_cpu(worker);
	if (hostvm_boot(&h->vm, &c, run_stop_flag(), err, sizeof(err))) {
		proc_avoid_cpu(-1);
		if (run_stopped())
			return NULL; /* not the VM's failure: resume boots it again */
		snprintf(h->why[target], sizeof(h->why[target]), "host VM: %s", err);
		goto failed;
	}
	proc_avoid_cpu(-1);
	h->up = 1;
	h->target = target;
	h->t_up = run_mono_s();
	h->live.server = h->vm.uri;
	h->live.identity = h->vm.img.key;
	h->live.uplink = HOSTVM_UPLINK;
	h->live.port = h->vm.port;
	/* the children's ssh pinned to the VM's host key */
	setenv("LVPERF_SSH_CONFIG", h->vm.ssh_config, 1);
	host_event(r, json_pack("{s:s, s:s, s:I, s:o}", "event", "up", "target", t->name, "boot_ns",
				(json_int_t)h->vm.boot_ns, "host_vm", hostvm_json(&h->vm)));
	if (!r->o->quiet)
		fprintf(stderr,
			"lvperf run: host VM of %s up: sshd after %.1f s (guest uptime %.1f s)\n",
			t->name, (double)h->vm.boot_ns / 1e9, h->vm.guest_up_s);
	return &h->live;
failed:
	fprintf(stderr, "\nlvperf run: %s: %s; its points fail\n", t->name, h->why[target]);
	host_event(r, json_pack("{s:s, s:s, s:s}", "event", "failed", "target", t->name, "reason",
				h->why[target]));
	return NULL;
}

const char *run_host_failed(const struct runner *r, unsigned target)
{
	(void)r;
	return run_host_state.why[target][0] ? run_host_state.why[target] : NULL;
}

int64_t run_host_rss(const struct runner *r, unsigned target)
{
	const struct run_host *h = &run_host_state;

	(void)r;
	return h->up && h->target == target ? hostvm_rss(&h->vm) : -ESRCH;
}
