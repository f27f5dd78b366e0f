/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc.h"
#include "trigger.h"

int trigger_open(uint32_t addr, uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int one = 1, fd, rc;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sa.sin_addr.s_addr = htonl(addr);
	sa.sin_port = htons(*port);
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || getsockname(fd, (struct sockaddr *)&sa, &sl)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

int trigger_open_ns(const char *netns, uint32_t addr, uint16_t *port, const char **where)
{
	int self = -1, ns = -1, fd, rc;
	const char *w = "enter";

	if (netns) {
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		ns = open(netns, O_RDONLY | O_CLOEXEC);
		if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET)) {
			fd = -errno;
			goto out;
		}
	}
	w = "open";
	fd = trigger_open(addr, port);
	if (netns && setns(self, CLONE_NEWNET)) { /* never stay in the target's namespace */
		rc = -errno;
		if (fd >= 0)
			close(fd);
		fd = rc;
		w = "return";
	}
out:
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
	if (where)
		*where = fd < 0 ? w : NULL;
	return fd;
}

static uint64_t trigger_now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t trigger_ts_diff_ns(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000000000ll + (b->tv_nsec - a->tv_nsec);
}

/* One datagram from fd into buf, with its sender and RX stamp. Returns its
 * length, or -errno (-EAGAIN: none within wait_ms). */
static ssize_t trigger_recv(int fd, int watch, int wait_ms, uint8_t *buf, size_t cap, struct sockaddr_in *from,
			    struct timespec *stamp, int *stamped)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = watch, .events = POLLIN } };
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	ssize_t n;
	int rc;

	rc = poll(p, watch >= 0 ? 2 : 1, wait_ms);
	if (rc < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	if (rc == 0)
		return -EAGAIN;
	if (watch >= 0 && p[1].revents)
		return -ECANCELED;
	if (!p[0].revents)
		return -EAGAIN;
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? -EAGAIN : -errno;
	*stamped = 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(stamp, CMSG_DATA(c), sizeof(*stamp));
			*stamped = 1;
		}
	if (!*stamped)
		clock_gettime(CLOCK_REALTIME, stamp);
	return n;
}

/* Answer an ECHO: the same bytes back with the type changed. */
static void trigger_echo_reply(int fd, uint8_t *buf, const struct sockaddr_in *to)
{
	buf[5] = TRIGGER_ECHO_REPLY;
	(void)sendto(fd, buf, TRIGGER_MSG_LEN, MSG_DONTWAIT, (const struct sockaddr *)to, sizeof(*to));
}

static int trigger_wait_ms(uint64_t deadline)
{
	uint64_t now = trigger_now_ns(CLOCK_MONOTONIC);

	return now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
}

int trigger_wait_spawn(int fd, uint64_t nonce, char *const argv[], int quiet, uint64_t timeout_ns,
		       struct trigger_result *res)
{
	return trigger_wait_spawn_watch(fd, -1, nonce, argv, quiet, timeout_ns, res);
}

int trigger_wait_spawn_watch(int fd, int watch, uint64_t nonce, char *const argv[], int quiet,
			     uint64_t timeout_ns, struct trigger_result *res)
{
	uint64_t deadline = trigger_now_ns(CLOCK_MONOTONIC) + timeout_ns;
	uint8_t buf[TRIGGER_MSG_LEN + 1];
	struct trigger_msg m;
	struct sockaddr_in from;
	struct timespec after;
	ssize_t n;
	int rc;

	memset(res, 0, sizeof(*res));
	for (;;) {
		int wait = trigger_wait_ms(deadline);

		n = trigger_recv(fd, watch, wait, buf, sizeof(buf), &from, &res->rx_stamp, &res->stamped);
		if (n == -EAGAIN) {
			if (wait == 0)
				return -ETIMEDOUT;
			continue;
		}
		if (n < 0)
			return (int)n;
		if (trigger_msg_get(buf, (size_t)n, &m)) {
			res->ignored++;
			continue;
		}
		if (m.type == TRIGGER_ECHO) {
			trigger_echo_reply(fd, buf, &from);
			res->echoes++;
			continue;
		}
		if (m.type == TRIGGER_START && m.nonce == nonce)
			break;
		res->ignored++;
	}
	rc = proc_start(argv, quiet, &res->pid);
	clock_gettime(CLOCK_REALTIME, &after);
	if (rc) {
		res->pid = 0;
		return rc;
	}
	res->start_tx_tsc = m.tx_tsc;
	res->rx_to_spawn_ns = trigger_ts_diff_ns(&res->rx_stamp, &after);
	return 0;
}

int trigger_echo_serve(int fd, uint64_t timeout_ns)
{
	uint64_t deadline = trigger_now_ns(CLOCK_MONOTONIC) + timeout_ns;
	uint8_t buf[TRIGGER_MSG_LEN + 1];
	struct trigger_msg m;
	struct sockaddr_in from;
	struct timespec ts;
	int answered = 0, stamped, wait;
	ssize_t n;

	do {
		wait = trigger_wait_ms(deadline);
		n = trigger_recv(fd, -1, wait, buf, sizeof(buf), &from, &ts, &stamped);
		if (n == -EAGAIN)
			continue;
		if (n < 0)
			return (int)n;
		if (trigger_msg_get(buf, (size_t)n, &m) == 0 && m.type == TRIGGER_ECHO) {
			trigger_echo_reply(fd, buf, &from);
			answered++;
		}
	} while (wait > 0);
	return answered;
}
