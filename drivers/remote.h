/* SPDX-License-Identifier: BSD-3-Clause
 * Targets on a test server, driven over SSH: the client side of the agent
 * protocol (drivers/agent_proto.h). remote_open runs
 * `ssh -o BatchMode=yes [-i KEY] [-p PORT] [USER@]HOST lvperf agent` and
 * shakes hands; remote_driver gives a proxy struct driver for a platform
 * of the server, whose ops are requests to the agent, so a command boots a
 * remote target through the same ops as a local one. The proxy's targets
 * are started by remote_start (beacon_args.start), not from argv.
 */
#ifndef LVP_REMOTE_H
#define LVP_REMOTE_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "driver.h"
#include "footprint.h"
#include "trigger.h"

#define REMOTE_ERR_LEN 512

/* Why a remote target's beacon TSC is not ours (beacon_args.sender_tsc_unknown). */
#define REMOTE_TSC "another box's TSC: the server's clock is not the appliance's"

struct remote;

/*
 * Split uri, ssh://[USER@]HOST[:PORT], into user (empty when absent), host
 * and port (0 when absent). Returns 0, or -EINVAL with one line in err.
 */
int remote_parse_uri(const char *uri, char *user, size_t ulen, char *host, size_t hlen,
		     unsigned *port, char *err, size_t len);

/*
 * Connect to the agent at uri with ssh (identity: a private key file, or
 * NULL for ssh's defaults; the environment's LVPERF_SSH_CONFIG, when set,
 * is passed as ssh -F) and check versions. uplink (NULL: none) is the
 * server's interface cabled to the appliance: every target prepared
 * through this connection is bridged to it. Returns the connection, or
 * NULL with one line in err: the host and ssh's own reason when it is
 * unreachable, that lvperf is missing there, or both versions.
 */
struct remote *remote_open(const char *uri, const char *identity, const char *uplink, char *err,
			   size_t len);

/*
 * Send req (consumed; "id" is added) and wait up to timeout_ms for its
 * reply. Returns the reply (the caller owns it) when ok is true, else NULL
 * with the agent's error or the connection's fate in err.
 */
json_t *remote_call(struct remote *r, json_t *req, int timeout_ms, char *err, size_t len);

/* The host part of r's URI, for messages. */
const char *remote_host(const struct remote *r);

/* The server is a host VM lvperf booted (via: "qemu q35 tcg"): targets
 * prepared from now on have the variant "PLATFORM in VIA[, variant]". */
void remote_set_via(struct remote *r, const char *via);

/*
 * A proxy driver for the server's platform name, owned by r (valid until
 * remote_close); NULL with one line in err when the server has no such
 * platform or it is not available there (with the server's reason).
 */
const struct driver *remote_driver(struct remote *r, const char *platform, char *err, size_t len);

/* 1 when drv is a proxy from remote_driver. */
int remote_is(const struct driver *drv);

/*
 * beacon_args.start for a proxy's prepared target (ctx, a struct target
 * *): the agent spawns its start command. Returns 0 with the server's
 * pid, or -errno with one line in err.
 */
int remote_start(void *ctx, pid_t *pid, char *err, size_t len);

/* 1 when the agent can arm t (a proxy's prepared target with a network
 * namespace on the server for the START listener), else 0. */
int remote_armable(const struct target *t);

/*
 * A remote-trigger start of a proxy's prepared target t: the agent opens
 * its START listener (drivers/trigger.h) in the target's namespace on the
 * server, on the target's address, and waits up to timeout_ns for START
 * with nonce, answering ECHOs meanwhile. On return the listener is open:
 * *ip and *port are where the dataplane sends ECHO and START. Returns 0 or
 * -errno with one line in err (a target without a namespace on the
 * server, a VM's tap, cannot be armed).
 */
int remote_arm(struct target *t, uint64_t nonce, uint64_t timeout_ns, uint32_t *ip, uint16_t *port,
	       char *err, size_t len);

/*
 * After START left: the agent's second answer to remote_arm, waited for up
 * to timeout_ns and a margin. Fills res (pid: the server's; rx_to_spawn_ns:
 * the agent's receive-to-spawn delay; stamped, echoes, ignored); start_tx_tsc
 * and rx_stamp stay 0 (the appliance knows its TX stamp). Returns 0, or
 * -errno with the agent's reason (no START, a failed spawn) in err.
 */
int remote_armed(struct target *t, uint64_t timeout_ns, struct trigger_result *res, char *err,
		 size_t len);

/* lvperf memory's sample of a running target, taken on the server. */
struct remote_footprint {
	struct footprint_procs target;	/* the processes of its namespace (the server's pids) */
	struct footprint_procs helpers; /* the agent's descendants outside the target */
	int64_t cgroup, daemon, driver; /* bytes, or -errno (cgroup -EEXIST: the agent's own) */
	char cgroup_path[512];
};

/*
 * Take f on the server (the agent's footprint op, drivers/footprint.h
 * there) for a proxy's running target t. Returns 0, or -errno with one
 * line in err (not running, no process found).
 */
int remote_footprint(struct target *t, struct remote_footprint *f, char *err, size_t len);

/* The platforms reply's array (borrowed). */
json_t *remote_platforms(struct remote *r);

/* Say bye (the agent tears down what is left), wait for ssh, free r. NULL is fine. */
void remote_close(struct remote *r);

#endif
