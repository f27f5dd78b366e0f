/*
 * beacon — boot-beacon workload run inside a container or guest.
 *
 * Sends one UDP datagram to --dst:--port every --interval, from the moment
 * it starts, until SIGTERM/SIGINT or until --count datagrams have been sent.
 * lvperf times the first one that reaches its port.
 *
 * Payload, format "seq" (16 bytes, all big-endian):
 *   0  "LVPB"  magic
 *   4  u32     attempt number, from 0; a gap means earlier sends failed
 *   8  u64     CLOCK_MONOTONIC ns read just before sendto()
 * Payload, format "study": the single byte "a", as in the study's workload.
 * Either is followed (x86 only) by a 16-byte trailer with the TSC read just
 * before sendto(), so the listener can measure its own stamp error
 * (dataplane/beacon_fmt.h has the layout). The TSC is read with RDTSCP and
 * then LFENCE where the CPU has RDTSCP: RDTSCP waits for every earlier
 * instruction, the LFENCE keeps later ones (the sendto) from starting before
 * the read (Intel SDM vol. 2B, RDTSCP); without RDTSCP (QEMU's default
 * qemu64 CPU), LFENCE; RDTSC; LFENCE (Intel SDM vol. 2B, RDTSC).
 * --no-tsc sends the body alone, as beacons before the trailer did.
 * --also IP sends every beacon to IP too (same port), right after, with its
 * own TSC: two listeners time the same start (bench/beacon_vs_python).
 *
 * Sends run on an absolute CLOCK_MONOTONIC grid (start + k * interval), so
 * the rate does not drift; slots missed while descheduled are skipped, not
 * sent in a burst. Send errors (no route or no address yet early in boot)
 * are counted and retried at the next slot. Exit: 0 on signal or count
 * reached, 1 if the socket cannot be made, 2 on bad usage.
 *
 * --exec PROG [ARGS...] (last): send --count beacons (default 1), then
 * execve PROG with ARGS in this process (PATH searched), so a service's
 * start is marked by its first beacon and the service keeps the PID.
 * --nofile N raises RLIMIT_NOFILE's soft limit to N (at most the hard
 * limit) before that. Exit 127 when PROG cannot be executed. As PID 1 of
 * a PID namespace (a container's init) it forks PROG instead and stays as
 * its init: the kernel drops signals to an init that has no handler for
 * them, so a SIGTERM sent before the service installed its own would be
 * lost; this init forwards SIGTERM, SIGINT, SIGHUP and SIGQUIT, reaps
 * orphans, and exits with PROG's status.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define BEACON_HAVE_TSC 1
#else
#define BEACON_HAVE_TSC 0
#endif

#include "beacon_fmt.h"

#define NS_PER_S 1000000000ULL

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

#define USAGE "usage: beacon --dst IP [--port 1337] [--interval 100us] " \
	"[--count N (0 = until signalled)] [--format seq|study] [--src-port P]\n" \
	"       [--no-tsc] [--also IP] [--nofile N] [--exec PROG [ARGS...]]\n"

/* One line on stderr, then exit 2. Only called while parsing argv. */
static void usage_error(const char *what, const char *value)
{
	fprintf(stderr, "beacon: %s%s%s (see beacon --help)\n", what,
		value ? ": " : "", value ? value : "");
	exit(2);
}

/* "100us", "1.5ms", "2s", "500ns" -> ns; 0 on malformed or non-positive. */
static uint64_t parse_duration_ns(const char *s)
{
	static const struct { const char *name; double ns; } units[] = {
		{ "ns", 1.0 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0) || v > 3600.0 * 1e9)
		return 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].name) == 0)
			return (uint64_t)(v * units[i].ns + 0.5);
	return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void put_be(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

struct beacon_cfg {
	struct sockaddr_in dst;
	struct sockaddr_in also; /* a second destination; port 0: none */
	struct sockaddr_in src; /* port 0: kernel picks the source port */
	uint64_t count;		/* datagrams to send; 0 = until signalled */
	uint64_t interval_ns;
	int study;		/* payload "a" instead of the 16-byte seq */
	int no_tsc;		/* no TSC trailer */
	uint64_t nofile;	/* RLIMIT_NOFILE soft limit wanted; 0 = leave it */
	char **exec;		/* run this after the beacons; NULL = none */
};

static void parse_args(int argc, char **argv, struct beacon_cfg *cfg)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "src-port", required_argument, NULL, 's' },
		{ "nofile", required_argument, NULL, 'n' },
		{ "exec", no_argument, NULL, 'x' },
		{ "no-tsc", no_argument, NULL, 't' },
		{ "also", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t port = 1337, src_port = 0;
	int have_dst = 0, have_count = 0, opt;

	opterr = 0;
	/* "+": stop at the first non-option, so --exec's words stay its own. */
	while (!cfg->exec && (opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (inet_pton(AF_INET, optarg, &cfg->dst.sin_addr) != 1)
				usage_error("--dst expects an IPv4 address", optarg);
			have_dst = 1;
			break;
		case 'p':
			if (parse_u64(optarg, 65535, &port) || port == 0)
				usage_error("--port expects 1..65535", optarg);
			break;
		case 's':
			if (parse_u64(optarg, 65535, &src_port))
				usage_error("--src-port expects 0..65535", optarg);
			break;
		case 'c':
			if (parse_u64(optarg, UINT64_MAX, &cfg->count))
				usage_error("--count expects an integer >= 0", optarg);
			have_count = 1;
			break;
		case 'n':
			if (parse_u64(optarg, 1u << 30, &cfg->nofile) || cfg->nofile == 0)
				usage_error("--nofile expects a positive integer", optarg);
			break;
		case 't':
			cfg->no_tsc = 1;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &cfg->also.sin_addr) != 1)
				usage_error("--also expects an IPv4 address", optarg);
			cfg->also.sin_port = 1; /* set below */
			break;
		case 'x':
			if (optind >= argc)
				usage_error("--exec expects a program", NULL);
			cfg->exec = argv + optind;
			break;
		case 'i':
			cfg->interval_ns = parse_duration_ns(optarg);
			if (cfg->interval_ns == 0)
				usage_error("--interval expects a positive number with unit ns, us, ms or s", optarg);
			break;
		case 'f':
			if (strcmp(optarg, "seq") && strcmp(optarg, "study"))
				usage_error("--format expects seq or study", optarg);
			cfg->study = strcmp(optarg, "study") == 0;
			break;
		case 'h':
			fputs(USAGE, stdout);
			exit(0);
		default:
			usage_error("unknown option or missing value", argv[optind - 1]);
		}
	}
	if (!cfg->exec && optind < argc)
		usage_error("unexpected argument", argv[optind]);
	if (cfg->exec && !have_count)
		cfg->count = 1;
	if (cfg->exec && cfg->count == 0)
		usage_error("--exec needs --count of at least 1", NULL);
	if (!have_dst)
		usage_error("--dst is required", NULL);
	cfg->dst.sin_port = htons((uint16_t)port);
	if (cfg->also.sin_port)
		cfg->also.sin_port = htons((uint16_t)port);
	cfg->src.sin_port = htons((uint16_t)src_port);
}

#if BEACON_HAVE_TSC
/* BEACON_TSC_RDTSCP_LFENCE when the CPU has RDTSCP (CPUID 0x80000001
 * EDX[27]), else BEACON_TSC_LFENCE_RDTSC. */
static enum beacon_tsc_read tsc_method(void)
{
	unsigned int a, b, c, d;

	if (__get_cpuid(0x80000001u, &a, &b, &c, &d) && (d & (1u << 27)))
		return BEACON_TSC_RDTSCP_LFENCE;
	return BEACON_TSC_LFENCE_RDTSC;
}

/* The TSC, ordered after everything before it and before everything after
 * it; *cpu from TSC_AUX (Linux puts node << 12 | cpu there) or unknown. */
static uint64_t tsc_read(enum beacon_tsc_read how, uint16_t *cpu)
{
	uint32_t lo, hi, aux;

	if (how == BEACON_TSC_RDTSCP_LFENCE) {
		__asm__ volatile("rdtscp\n\tlfence" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
		*cpu = (uint16_t)(aux & 0xfff);
	} else {
		__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
		*cpu = BEACON_CPU_UNKNOWN;
	}
	return (uint64_t)hi << 32 | lo;
}
#endif

/* Send until count or a stop signal; prints the one-line summary. */
static void send_loop(int fd, const struct beacon_cfg *cfg)
{
	uint64_t sent = 0, errors = 0, attempt = 0, next = mono_ns(), now;
	unsigned char buf[BEACON_SEQ_LEN + BEACON_TSC_LEN] = BEACON_SEQ_MAGIC;
	size_t body = cfg->study ? 1 : BEACON_SEQ_LEN, len = body;
	int last_err = 0;
#if BEACON_HAVE_TSC
	enum beacon_tsc_read how = tsc_method();
	uint16_t cpu;

	if (!cfg->no_tsc)
		len += BEACON_TSC_LEN;
#endif
	if (cfg->study)
		buf[0] = 'a';
	while (!stop_requested && (cfg->count == 0 || sent < cfg->count)) {
		now = mono_ns();
		if (!cfg->study) {
			put_be(buf + 4, attempt, 4);
			put_be(buf + 8, now, 8);
		}
		attempt++;
		int ok = 0; /* the first destination took it */

		for (int d = 0; d < 2; d++) {
			const struct sockaddr_in *to = d ? &cfg->also : &cfg->dst;

			if (!to->sin_port)
				break;
#if BEACON_HAVE_TSC
			if (len > body) {
				uint64_t tsc = tsc_read(how, &cpu);

				beacon_tsc_trailer(buf + body, how, cpu, tsc);
			}
#endif
			if (sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0) {
				errors++;
				last_err = errno;
			} else if (d == 0) {
				ok = 1;
			}
		}
		sent += ok;
		if (cfg->count && sent == cfg->count)
			break;
		next += cfg->interval_ns;
		now = mono_ns();
		if (next < now) /* skip missed slots, stay on the grid */
			next += (now - next) / cfg->interval_ns * cfg->interval_ns +
				cfg->interval_ns;
		struct timespec ts = { .tv_sec = (time_t)(next / NS_PER_S),
				       .tv_nsec = (long)(next % NS_PER_S) };
		while (!stop_requested &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	fprintf(stderr, "beacon: sent %" PRIu64 ", errors %" PRIu64 "%s%s\n",
		sent, errors, last_err ? ", last error: " : "",
		last_err ? strerror(last_err) : "");
}

static volatile sig_atomic_t init_child;	  /* the service, when we are its init */
static volatile sig_atomic_t init_pending; /* a signal that came before the fork */

static void init_forward(int sig)
{
	if (init_child > 0)
		kill(init_child, sig);
	else
		init_pending = sig;
}

/* PID 1: run the service as our child; forward signals, reap, pass on
 * its exit status. */
static int run_init(char **exec)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	struct sigaction sa;
	int status = 0;
	pid_t pid, w;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = init_forward;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "beacon: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(exec[0], exec);
		fprintf(stderr, "beacon: cannot run %s: %s\n", exec[0], strerror(errno));
		_exit(127);
	}
	init_child = pid;
	if (init_pending)
		kill(pid, init_pending);
	for (;;) {
		w = waitpid(-1, &status, 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return 127;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Raise the descriptor limit, restore the default timer slack, become
 * the service (or its init). Returns only on failure or as that init. */
static int run_exec(const struct beacon_cfg *cfg)
{
	struct rlimit rl;

	if (cfg->nofile && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < cfg->nofile) {
		rl.rlim_cur = cfg->nofile < rl.rlim_max ? cfg->nofile : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			fprintf(stderr, "beacon: cannot raise RLIMIT_NOFILE: %s\n", strerror(errno));
	}
	prctl(PR_SET_TIMERSLACK, 0UL); /* 0: back to the default */
	if (getpid() == 1)
		return run_init(cfg->exec);
	execvp(cfg->exec[0], cfg->exec);
	fprintf(stderr, "beacon: cannot run %s: %s\n", cfg->exec[0], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	struct beacon_cfg cfg = {
		.dst = { .sin_family = AF_INET },
		.src = { .sin_family = AF_INET },
		.also = { .sin_family = AF_INET },
		.interval_ns = 100000,
	};
	struct sigaction sa;
	int fd;

	parse_args(argc, argv, &cfg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal; /* no SA_RESTART: sleeps end at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_TIMERSLACK, 1UL); /* default 50 us slack would skew --interval */

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (cfg.src.sin_port &&
	    bind(fd, (struct sockaddr *)&cfg.src, sizeof(cfg.src)) < 0)) {
		fprintf(stderr, "beacon: socket: %s\n", strerror(errno));
		return 1;
	}
	send_loop(fd, &cfg);
	close(fd);
	if (cfg.exec && !stop_requested)
		return run_exec(&cfg);
	if (cfg.exec) /* stopped before the service started */
		return 0;
	return 0;
}
