/* SPDX-License-Identifier: BSD-3-Clause
 * faultline: a faulty wire between two interfaces, for kernels without tc
 * netem ("Error: Specified qdisc kind is unknown."). Every frame that
 * arrives on one interface (an AF_PACKET socket) leaves on the other,
 * per direction: lost, duplicated, delayed by DELAY ± JITTER µs (uniform,
 * but never before the frame ahead of it: jitter alone keeps the order,
 * unlike netem's), and reordered (held back behind the next frame of its
 * direction, or sent HOLD µs after its due time when none comes; default
 * 5000).
 *
 *   faultline IF_A IF_B [--a2b SPEC] [--b2a SPEC] [--both SPEC] [--seed N]
 *   SPEC: loss=PCT,dup=PCT,reorder=PCT,delay=US,jitter=US,hold=US
 *
 * Meant for a middle network namespace that holds only IF_A and IF_B (the
 * integration test's lvpi<pid>b), run pinned under `chrt -f` (no timer
 * slack then). Prints "ready" on stdout once both sockets are bound; on
 * SIGTERM or SIGINT one JSON line of counters per direction on stdout,
 * then exits 0. Test tool: never on a machine's real interfaces.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 9216 /* larger (GRO) frames are counted and dropped */
#define QUEUE_MAX 8192 /* frames in flight per direction */

struct fault {
	double loss, dup, reorder; /* probabilities, 0..1 */
	uint64_t delay_ns, jitter_ns, hold_ns;
};

struct frame {
	uint64_t due, seq;
	uint16_t len;
	uint8_t data[FRAME_MAX];
};

struct dir {
	const char *name;
	int in, out; /* sockets */
	struct fault f;
	struct frame *pool;  /* QUEUE_MAX frames */
	struct frame **heap; /* by (due, seq) */
	struct frame **free_list;
	unsigned n_heap, n_free;
	struct frame *held; /* reordered: goes out behind the next frame */
	uint64_t held_until;
	uint64_t last_due; /* of the newest frame queued */
	uint64_t rx, tx, lost, duplicated, reordered, overflow, too_big, tx_errors;
	uint64_t delay_sum_ns;
};

static volatile sig_atomic_t stop;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t seq;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: uniform in [0, 1). */
static double rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ull) >> 11) / (double)(1ull << 53);
}

static int parse_fault(const char *spec, struct fault *f)
{
	char *copy = strdup(spec), *tok, *save = NULL;
	int rc = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		double v;

		if (!eq) {
			rc = -1;
			break;
		}
		*eq = 0;
		v = strtod(eq + 1, &end);
		if (*end || end == eq + 1 || v < 0) {
			rc = -1;
			break;
		}
		if (strcmp(tok, "loss") == 0 && v <= 100)
			f->loss = v / 100;
		else if (strcmp(tok, "dup") == 0 && v <= 100)
			f->dup = v / 100;
		else if (strcmp(tok, "reorder") == 0 && v <= 100)
			f->reorder = v / 100;
		else if (strcmp(tok, "delay") == 0)
			f->delay_ns = (uint64_t)(v * 1000);
		else if (strcmp(tok, "jitter") == 0)
			f->jitter_ns = (uint64_t)(v * 1000);
		else if (strcmp(tok, "hold") == 0)
			f->hold_ns = (uint64_t)(v * 1000);
		else {
			rc = -1;
			break;
		}
	}
	free(copy);
	if (f->jitter_ns > f->delay_ns)
		f->jitter_ns = f->delay_ns; /* a frame is never due before it came */
	return rc;
}

static int before(const struct frame *a, const struct frame *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_push(struct dir *d, struct frame *fr)
{
	unsigned i = d->n_heap++;

	fr->seq = seq++;
	while (i > 0 && before(fr, d->heap[(i - 1) / 2])) {
		d->heap[i] = d->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	d->heap[i] = fr;
}

static struct frame *heap_pop(struct dir *d)
{
	struct frame *top = d->heap[0], *last = d->heap[--d->n_heap];
	unsigned i = 0;

	for (;;) {
		unsigned c = 2 * i + 1;

		if (c >= d->n_heap)
			break;
		if (c + 1 < d->n_heap && before(d->heap[c + 1], d->heap[c]))
			c++;
		if (!before(d->heap[c], last))
			break;
		d->heap[i] = d->heap[c];
		i = c;
	}
	if (d->n_heap)
		d->heap[i] = last;
	return top;
}

static struct frame *frame_get(struct dir *d)
{
	if (!d->n_free) {
		d->overflow++;
		return NULL;
	}
	return d->free_list[--d->n_free];
}

static void frame_put(struct dir *d, struct frame *fr)
{
	d->free_list[d->n_free++] = fr;
}

static uint64_t delay_of(const struct fault *f)
{
	if (!f->jitter_ns)
		return f->delay_ns;
	return f->delay_ns - f->jitter_ns + (uint64_t)(rnd() * (double)(2 * f->jitter_ns + 1));
}

/* One frame came in: decide its fate. */
static void take(struct dir *d, const uint8_t *buf, size_t len, uint64_t now)
{
	struct frame *fr, *copy;

	d->rx++;
	if (len > FRAME_MAX) {
		d->too_big++;
		return;
	}
	if (d->f.loss > 0 && rnd() < d->f.loss) {
		d->lost++;
		return;
	}
	fr = frame_get(d);
	if (!fr)
		return;
	memcpy(fr->data, buf, len);
	fr->len = (uint16_t)len;
	/* Jitter keeps the order: never due before the frame ahead of it
	 * (netem's tfifo reorders by jitter; here reordering is its own
	 * knob, and bursts queue behind a late frame as on a real link). */
	fr->due = now + delay_of(&d->f);
	if (fr->due < d->last_due)
		fr->due = d->last_due;
	d->last_due = fr->due;
	d->delay_sum_ns += fr->due - now;
	if (d->f.dup > 0 && rnd() < d->f.dup && (copy = frame_get(d))) {
		memcpy(copy, fr, sizeof(*fr));
		d->duplicated++;
		heap_push(d, copy);
	}
	if (!d->held && d->f.reorder > 0 && rnd() < d->f.reorder) {
		d->held = fr; /* out after the next frame, whenever that is due */
		d->held_until = fr->due + d->f.hold_ns;
		d->reordered++;
		return;
	}
	heap_push(d, fr);
	if (d->held) { /* behind this one: same due time, later sequence */
		struct frame *h = d->held;

		d->held = NULL;
		h->due = fr->due > h->due ? fr->due : h->due;
		heap_push(d, h);
	}
}

static void send_due(struct dir *d, uint64_t now)
{
	if (d->held && d->held_until <= now) { /* no next frame came: let it go */
		struct frame *h = d->held;

		d->held = NULL;
		heap_push(d, h);
	}
	while (d->n_heap && d->heap[0]->due <= now) {
		struct frame *fr = heap_pop(d);

		if (send(d->out, fr->data, fr->len, MSG_DONTWAIT) == (ssize_t)fr->len)
			d->tx++;
		else
			d->tx_errors++;
		frame_put(d, fr);
	}
}

static uint64_t next_due(const struct dir *d)
{
	uint64_t t = UINT64_MAX;

	if (d->n_heap)
		t = d->heap[0]->due;
	if (d->held && d->held_until < t)
		t = d->held_until;
	return t;
}

static int open_if(const char *name)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	struct packet_mreq mr = {.mr_type = PACKET_MR_PROMISC};
	int fd, one = 1, big = 4 << 20;

	sll.sll_ifindex = (int)if_nametoindex(name);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "faultline: no interface %s\n", name);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		perror("faultline: AF_PACKET socket");
		return -1;
	}
	mr.mr_ifindex = sll.sll_ifindex;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0) {
		perror("faultline: setsockopt");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return fd;
}

static int dir_init(struct dir *d, const char *name, int in, int out)
{
	d->name = name;
	d->in = in;
	d->out = out;
	d->pool = calloc(QUEUE_MAX, sizeof(*d->pool));
	d->heap = calloc(QUEUE_MAX, sizeof(*d->heap));
	d->free_list = calloc(QUEUE_MAX, sizeof(*d->free_list));
	if (!d->pool || !d->heap || !d->free_list)
		return -1;
	for (unsigned i = 0; i < QUEUE_MAX; i++)
		d->free_list[d->n_free++] = &d->pool[i];
	return 0;
}

static void report(const struct dir *d)
{
	printf(
	    "{\"dir\": \"%s\", \"rx\": %llu, \"tx\": %llu, \"lost\": %llu, \"duplicated\": %llu, "
	    "\"reordered\": %llu, \"overflow\": %llu, \"too_big\": %llu, \"tx_errors\": %llu, "
	    "\"mean_delay_us\": %.1f}\n",
	    d->name, (unsigned long long)d->rx, (unsigned long long)d->tx,
	    (unsigned long long)d->lost, (unsigned long long)d->duplicated,
	    (unsigned long long)d->reordered, (unsigned long long)d->overflow,
	    (unsigned long long)d->too_big, (unsigned long long)d->tx_errors,
	    d->rx - d->lost - d->too_big
		? (double)d->delay_sum_ns / 1000.0 / (double)(d->rx - d->lost - d->too_big)
		: 0.0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: faultline IF_A IF_B [--a2b SPEC] [--b2a SPEC] [--both SPEC] [--seed N]\n"
		"  SPEC: loss=PCT,dup=PCT,reorder=PCT,delay=US,jitter=US,hold=US\n");
	exit(64);
}

int main(int argc, char **argv)
{
	static uint8_t buf[65536];
	struct dir dirs[2];
	struct sigaction sa = {.sa_handler = on_signal};
	struct fault a2b = {.hold_ns = 5000000}, b2a = {.hold_ns = 5000000};
	uint64_t seed = (uint64_t)now_ns() ^ (uint64_t)getpid();
	int a, b;

	if (argc < 3)
		usage();
	for (int i = 3; i < argc; i += 2) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = !val;

		if (bad)
			;
		else if (strcmp(opt, "--a2b") == 0)
			bad = parse_fault(val, &a2b) != 0;
		else if (strcmp(opt, "--b2a") == 0)
			bad = parse_fault(val, &b2a) != 0;
		else if (strcmp(opt, "--both") == 0)
			bad = parse_fault(val, &a2b) != 0 || parse_fault(val, &b2a) != 0;
		else if (strcmp(opt, "--seed") == 0)
			seed = strtoull(val, NULL, 0);
		else
			bad = 1;
		if (bad)
			usage();
	}
	rng_state = seed ? seed : 1;
	prctl(PR_SET_TIMERSLACK, 1ul); /* 1 ns: sleeps end on time outside SCHED_FIFO too */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	a = open_if(argv[1]);
	b = open_if(argv[2]);
	if (a < 0 || b < 0 || dir_init(&dirs[0], "a2b", a, b) != 0 ||
	    dir_init(&dirs[1], "b2a", b, a) != 0)
		return 1;
	dirs[0].f = a2b;
	dirs[1].f = b2a;
	printf("ready seed %llu\n", (unsigned long long)seed);
	fflush(stdout);
	while (!stop) {
		struct pollfd p[2] = {{.fd = a, .events = POLLIN}, {.fd = b, .events = POLLIN}};
		uint64_t now = now_ns(), due = next_due(&dirs[0]);
		struct timespec ts, *tsp = NULL;

		if (next_due(&dirs[1]) < due)
			due = next_due(&dirs[1]);
		if (due != UINT64_MAX) {
			uint64_t wait = due > now ? due - now : 0;

			ts.tv_sec = (time_t)(wait / 1000000000ull);
			ts.tv_nsec = (long)(wait % 1000000000ull);
			tsp = &ts;
		}
		if (ppoll(p, 2, tsp, NULL) < 0 && errno != EINTR) {
			perror("faultline: ppoll");
			return 1;
		}
		now = now_ns();
		for (int k = 0; k < 2; k++) {
			if (!(p[k].revents & POLLIN))
				continue;
			for (;;) { /* drain: every frame stamped on arrival */
				struct sockaddr_ll from;
				socklen_t fl = sizeof(from);
				ssize_t n =
				    recvfrom(dirs[k].in, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
					     (struct sockaddr *)&from, &fl);

				if (n < 0)
					break;
				if (from.sll_pkttype == PACKET_OUTGOING)
					continue;
				take(&dirs[k], buf, (size_t)n, now);
			}
		}
		now = now_ns();
		send_due(&dirs[0], now);
		send_due(&dirs[1], now);
	}
	report(&dirs[0]);
	report(&dirs[1]);
	return 0;
}
