/* SPDX-License-Identifier: BSD-3-Clause
 * The listener side of a remote-trigger start: a UDP socket on which the
 * appliance's dataplane sends START (spawn the target now) and ECHO (answer
 * at once, so the appliance can measure the one-way delay as half the
 * round trip). The spawn happens on whatever box holds the socket (the
 * agent's, or lvperf's own listener thread for local tests), while the
 * start mark stays on the appliance's clock: the TSC in START, read just
 * before the TX burst. No DPDK here. The datagram is trigger_fmt.h's (it
 * lives in dataplane/, the lowest layer both sides include).
 */
#ifndef LVP_TRIGGER_H
#define LVP_TRIGGER_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "trigger_fmt.h"

/* What trigger_wait_spawn saw and did. */
struct trigger_result {
	pid_t pid;		 /* the spawned start command (0: not spawned) */
	uint64_t start_tx_tsc;	 /* the appliance's TX TSC carried by START */
	/* The kernel's RX stamp of START (SO_TIMESTAMPNS, CLOCK_REALTIME);
	 * when the kernel gave none, the time recvmsg returned (stamped 0). */
	struct timespec rx_stamp;
	int stamped;
	/* rx_stamp -> clock_gettime(CLOCK_REALTIME) right after the spawn
	 * call returned, ns: the listener's own receive-to-spawn delay. */
	int64_t rx_to_spawn_ns;
	uint32_t echoes;	 /* ECHO datagrams answered while waiting */
	uint32_t ignored;	 /* other datagrams: a START of another nonce, not ours */
};

/*
 * A UDP socket bound to addr (IPv4, host byte order; 0: any) and *port
 * (0: one the kernel picks, written back) in the calling thread's network
 * namespace, with kernel RX stamps on (SO_TIMESTAMPNS). Returns the
 * descriptor (close-on-exec; the caller closes it) or -errno.
 */
int trigger_open(uint32_t addr, uint16_t *port);

/*
 * trigger_open inside the network namespace at path netns (/run/netns/NAME
 * or /proc/PID/ns/net; NULL: the caller's), coming back to the calling
 * thread's own namespace after. Returns the descriptor or -errno; *where
 * (may be NULL) names the step that failed: "enter", "open" or "return"
 * (after "return" the thread may still be in netns: the caller must stop).
 */
int trigger_open_ns(const char *netns, uint32_t addr, uint16_t *port, const char **where);

/*
 * Block on fd (from trigger_open) until a START carrying nonce arrives,
 * then spawn argv at once (drivers/proc.h proc_start; quiet: its output to
 * /dev/null) and fill res. ECHO datagrams that arrive meanwhile are
 * answered at once (any nonce: the sender matches its own); a START of
 * another nonce and anything that is not a trigger datagram are counted in
 * res->ignored. The spawned process is the caller's child: reap it.
 * Returns 0, -ETIMEDOUT when no START came within timeout_ns, or -errno
 * (a failed spawn: proc_start's, with res->pid 0).
 */
int trigger_wait_spawn(int fd, uint64_t nonce, char *const argv[], int quiet, uint64_t timeout_ns,
		       struct trigger_result *res);

/*
 * trigger_wait_spawn that also gives up, with -ECANCELED and nothing
 * spawned, as soon as watch (a descriptor; -1: none) is readable or hung
 * up; its data is left unread. The agent watches its request stream: a
 * dropped connection, or the appliance's next request after a failed
 * echo phase, ends the wait at once.
 */
int trigger_wait_spawn_watch(int fd, int watch, uint64_t nonce, char *const argv[], int quiet,
			     uint64_t timeout_ns, struct trigger_result *res);

/*
 * The echo responder alone: answer every ECHO on fd at once for
 * timeout_ns, ignore everything else. Returns how many were answered, or
 * -errno.
 */
int trigger_echo_serve(int fd, uint64_t timeout_ns);

#endif
